/**
 * Side-effect helpers for the CLI and pipeline: atomic writes (temp file + rename, so an
 * interrupted run never leaves a partial file) and stable JSON.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** JSON with a trailing newline; key order is insertion order, so output is deterministic. */
export function toJson(value: unknown, indent = 0): string {
  return `${JSON.stringify(value, null, indent || undefined)}\n`;
}
