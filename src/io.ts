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

/**
 * JSON for files reviewers diff: nested structure indented, and every object that holds only
 * scalars (a plotted data row, an encoding channel) on one line, so a changed data point shows
 * as one changed line instead of a changed 2 MB line. Formatting newlines are the only raw
 * newlines in JSON text (strings escape theirs), so collapsing them inside a flat object is safe.
 */
export function toReviewJson(value: unknown): string {
  return `${JSON.stringify(value, null, 1).replace(/\{\n\s*([^{}[\]]*?)\n\s*\}/g, (_m, body: string) => `{${body.replace(/\n\s*/g, ' ')}}`)}\n`;
}

/** JSON with a trailing newline; key order is insertion order, so output is deterministic. */
export function toJson(value: unknown, indent = 0): string {
  return `${JSON.stringify(value, null, indent || undefined)}\n`;
}
