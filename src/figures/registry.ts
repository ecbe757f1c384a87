/** Every figure tsdyn builds, in gallery order. */
import { finiteSizeFigure } from './finiteSize.ts';
import { largeInitFigure } from './largeInit.ts';
import { softCommitteeFigure } from './softCommittee.ts';
import { specializationFigure } from './specialization.ts';
import { twoLayerFigure } from './twoLayer.ts';
import { validityMapFigure } from './validityMap.ts';
import type { FigureDefinition } from './types.ts';

export const FIGURES: FigureDefinition[] = [softCommitteeFigure, twoLayerFigure, largeInitFigure, specializationFigure, validityMapFigure, finiteSizeFigure];

export function figureByName(name: string): FigureDefinition {
  const f = FIGURES.find((x) => x.name === name);
  if (!f) throw new Error(`unknown figure ${JSON.stringify(name)} (known: ${FIGURES.map((x) => x.name).join(', ')})`);
  return f;
}
