/**
 * Every figure tsdyn builds, in gallery order, and which preset builds which
 * (FigureDefinition.presets; PRESETS in types.ts says which presets a plain `make figures` runs).
 */
import { activationsFigure } from './activations/index.ts';
import { ensembleSoftCommitteeFigure, ensembleTwoLayerFigure } from './ensemble/index.ts';
import { finiteSizeFigure } from './finiteSize/index.ts';
import { forgettingFigure } from './forgetting/index.ts';
import { largeInitFigure } from './largeInit/index.ts';
import { softCommitteeFigure } from './softCommittee/index.ts';
import { specializationFigure } from './specialization/index.ts';
import { twoLayerFigure } from './twoLayer/index.ts';
import { ensembleValidityMapFigure, validityMapFigure } from './validityMap/index.ts';
import { DEFAULT_FIGURE_PRESETS, type FigureDefinition, type Preset } from './types.ts';

/** Every figure of every preset. */
export const ALL_FIGURES: FigureDefinition[] = [
  softCommitteeFigure,
  twoLayerFigure,
  largeInitFigure,
  specializationFigure,
  validityMapFigure,
  finiteSizeFigure,
  activationsFigure,
  forgettingFigure,
  ensembleSoftCommitteeFigure,
  ensembleTwoLayerFigure,
  ensembleValidityMapFigure,
];

/** The figures a preset builds, in gallery order. */
export function figuresOfPreset(preset: Preset): FigureDefinition[] {
  return ALL_FIGURES.filter((f) => (f.presets ?? DEFAULT_FIGURE_PRESETS).includes(preset));
}

/** The figures of the default build (full and ci presets): the gallery, the snapshots CI checks. */
export const FIGURES: FigureDefinition[] = figuresOfPreset('full');
