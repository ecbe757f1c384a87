#!/usr/bin/env zx
/**
 * make figures / make figure NAME=…: the entry point (zx). All the work is in
 * pipeline/figures.ts, loaded in this same process (no extra process to orphan on a signal).
 *
 *   npx zx pipeline/figures.mjs [--only NAME[,NAME]] [--preset full|ci|ensemble] [--jobs N]
 */
import { tsImport } from 'tsx/esm/api';

const self = process.argv.findIndex((a) => a.endsWith('figures.mjs'));
const { main } = await tsImport('./figures.ts', import.meta.url);
process.exit(await main(process.argv.slice(self + 1)));
