#!/usr/bin/env node
// Entry of the bundled CLI (dist/cli.js, built by scripts/build.mjs).
import { start } from './cli.ts';

start();
