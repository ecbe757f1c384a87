/**
 * The one reader of every JSON file a user hands to tsdyn (run configs, sweep files, `tsdyn
 * batch` jobs, batch results) and of the run cache's files. Bounded and strict, so hostile or
 * broken input is one line naming the file instead of a machine filled or a value silently
 * changed:
 *
 * - **Size**: a regular file larger than its kind's cap is refused from its size alone, before
 *   a byte is read; anything else (a pipe, /dev/zero) is read in 1 MiB pieces and refused as
 *   soon as it passes the cap, so memory never grows past the cap.
 * - **UTF-8**: decoded with a fatal TextDecoder: an invalid byte is refused (naming its offset)
 *   instead of becoming U+FFFD, which could make two different seeds the same string.
 * - **Depth**: nesting deeper than the kind's cap is refused (configs are ≤ 5 levels, results
 *   ≤ 7): code that walks a parsed value recursively can then never overflow the stack.
 * - **Duplicate keys**: `{"lr": [1], "lr": [2]}` parses to the last value in JSON.parse, so a
 *   grid value would vanish without a word; a key listed twice in one object is refused,
 *   naming the object's path (`sweep.grid`).
 * - **Unpaired surrogate escapes** (`"\ud800"`): JSON.parse accepts them, but they are no
 *   text (encoders replace them with U+FFFD, so two such seeds would collide); refused.
 *
 * The checks after parsing (depth, keys, escapes) are one linear scan of the text, run only
 * once JSON.parse has accepted it (so the scan can rely on valid JSON, and JSON.parse's own
 * message is kept for syntax errors). V8's JSON.parse is iterative: deep input cannot overflow
 * it, only later recursive code, which the depth cap protects.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './errors.ts';
import { bytes, MAX_OUTPUT_BYTES } from './sizes.ts';

export interface JsonFileKind {
  /** How errors name the file's root (`config`, `sweep`, `jobs`, `results`). */
  root: string;
  maxBytes: number;
  maxDepth: number;
  /** Scan for duplicate keys and unpaired surrogates (cache files, checksummed, skip it). */
  strict: boolean;
}

const MiB = 2 ** 20;

/**
 * The kinds of JSON file and their caps. A config or sweep file is a few KiB (a K = 500 `init`
 * is ~5 MiB), so 8 MiB leaves room and keeps a mistaken 200 MB file from being parsed for
 * minutes; a jobs file lists configs (thousands at ~0.5 KiB each); results and cache files hold
 * trajectories, at most the longest string V8 can hold (MAX_OUTPUT_BYTES: they are read as one
 * text). Depth 32 is far above any valid file (≤ 7) and far below any stack limit.
 */
export const JSON_FILE_KINDS = {
  config: { root: 'config', maxBytes: 8 * MiB, maxDepth: 32, strict: true },
  sweep: { root: 'sweep', maxBytes: 8 * MiB, maxDepth: 32, strict: true },
  jobs: { root: 'jobs', maxBytes: 256 * MiB, maxDepth: 32, strict: true },
  results: { root: 'results', maxBytes: MAX_OUTPUT_BYTES, maxDepth: 32, strict: true },
  cache: { root: 'entry', maxBytes: MAX_OUTPUT_BYTES, maxDepth: 32, strict: false },
} as const satisfies Record<string, JsonFileKind>;

export type JsonFileKindName = keyof typeof JSON_FILE_KINDS;

/** The file could not be opened or read (missing, a directory, no permission). */
export class JsonReadError extends UsageError {
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`cannot read ${path} (${code})`);
    this.name = 'JsonReadError';
  }
}

/** The file's content is refused: too large, not UTF-8, not JSON, too deep, a duplicate key. */
export class JsonContentError extends UsageError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} ${reason}`);
    this.name = 'JsonContentError';
  }
}

const CHUNK = MiB;

/** The file's bytes, at most `maxBytes` (a JsonContentError beyond). */
export function readBounded(path: string, maxBytes: number, what = 'JSON'): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new JsonReadError(path, (e as NodeJS.ErrnoException).code ?? 'error');
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new JsonReadError(path, 'EISDIR');
    const tooLarge = (detail: string) => new JsonContentError(path, `is larger than ${bytes(maxBytes)}, the most a ${what} file may be (${detail})`);
    if (st.isFile() && st.size > maxBytes) throw tooLarge(`${bytes(st.size)}; refused before reading`);
    // A regular file is read at its size; anything else (pipe, device) piece by piece.
    const pieces: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(CHUNK, maxBytes + 1 - total);
      const buf = Buffer.allocUnsafe(want);
      let n: number;
      try {
        n = readSync(fd, buf, 0, want, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // A non-blocking pipe (stdin of some shells) with no data yet: wait a little and retry.
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
        throw new JsonReadError(path, code ?? 'error');
      }
      if (n === 0) break;
      pieces.push(n === want ? buf : buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge('reading stopped there');
    }
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, total);
  } finally {
    closeSync(fd);
  }
}

/** Byte offset of the first byte that is not valid UTF-8 (for the message), or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte → sequence length and the allowed range of the second byte (RFC 3629 table).
    let n: number, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + n > buf.length) return i;
    if (buf[i + 1] < lo || buf[i + 1] > hi) return i;
    for (let k = 2; k < n; k++) if (buf[i + k] < 0x80 || buf[i + k] > 0xbf) return i;
    i += n;
  }
  return -1;
}

/** Decode UTF-8 strictly (a leading BOM is dropped); a JsonContentError names the first bad byte. */
export function decodeUtf8(path: string, buf: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new JsonContentError(path, `is not valid UTF-8 (byte ${firstInvalidUtf8(buf)}); refused instead of replacing it`);
  }
}

/** Line and column (1-based) of a character offset, for messages. */
function lineCol(text: string, pos: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${pos - start + 1}`;
}

interface Level {
  /** Keys seen so far (objects), null for arrays. */
  keys: Set<string> | null;
  /** The current key (objects) or index (arrays), for paths. */
  at: string | number;
  expectKey: boolean;
}

function pathOf(root: string, stack: Level[], upTo: number): string {
  let p = root;
  // A path through a deep nest is cut short: its first levels say where it is.
  if (upTo > 8) return `${pathOf(root, stack, 6)}… (${upTo} levels)`;
  for (let i = 0; i < upTo; i++) {
    const at = stack[i].at;
    p += typeof at === 'number' ? `[${at}]` : /^[A-Za-z_$][\w$]*$/.test(at) ? `.${at}` : `[${JSON.stringify(at)}]`;
  }
  return p;
}

const isHex4 = (s: string) => /^[0-9a-fA-F]{4}$/.test(s);

/**
 * Scan text that JSON.parse accepted: nesting depth, duplicate keys, unpaired surrogate
 * escapes. Returns the first problem as a phrase (e.g. `has the key "lr" twice in sweep.grid`)
 * or null. Linear in the text.
 */
export function scanJson(text: string, root: string, maxDepth: number): string | null {
  const stack: Level[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= maxDepth) return `is nested deeper than ${maxDepth} levels (at ${pathOf(root, stack, stack.length)}, ${lineCol(text, i)})`;
      stack.push(c === 0x7b ? { keys: new Set(), at: '', expectKey: true } : { keys: null, at: 0, expectKey: false });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top.keys) top.expectKey = true;
      else (top.at as number)++;
    } else if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      let pendingHigh = -1; // position of a high-surrogate escape awaiting its low half
      for (i++; ; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x22) break;
        if (d !== 0x5c /* \ */) {
          if (pendingHigh >= 0) return `has an unpaired UTF-16 surrogate escape at ${lineCol(text, pendingHigh)}`;
          continue;
        }
        escaped = true;
        const e = text.charCodeAt(i + 1);
        if (e === 0x75 /* u */ && isHex4(text.slice(i + 2, i + 6))) {
          const u = parseInt(text.slice(i + 2, i + 6), 16);
          if (u >= 0xdc00 && u <= 0xdfff) {
            if (pendingHigh < 0) return `has an unpaired UTF-16 surrogate escape at ${lineCol(text, i)}`;
            pendingHigh = -1;
          } else {
            if (pendingHigh >= 0) return `has an unpaired UTF-16 surrogate escape at ${lineCol(text, pendingHigh)}`;
            if (u >= 0xd800 && u <= 0xdbff) pendingHigh = i;
          }
          i += 5;
        } else {
          if (pendingHigh >= 0) return `has an unpaired UTF-16 surrogate escape at ${lineCol(text, pendingHigh)}`;
          i += 1;
        }
      }
      if (pendingHigh >= 0) return `has an unpaired UTF-16 surrogate escape at ${lineCol(text, pendingHigh)}`;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
        if (top.keys.has(key)) return `has the key ${JSON.stringify(key)} twice in ${pathOf(root, stack, stack.length - 1)} (${lineCol(text, start)}); JSON keeps only the last, so one value would be lost`;
        top.keys.add(key);
        top.at = key;
        top.expectKey = false;
      }
    }
  }
  return null;
}

/**
 * Read, decode, parse and scan a JSON file of the given kind. Read failures are
 * JsonReadError, refused content JsonContentError (both one line, both UsageErrors).
 */
export function readJson(path: string, kindName: JsonFileKindName): unknown {
  return parseJsonText(path, readJsonText(path, kindName), kindName);
}

/** The file's text: bounded read and strict UTF-8 (readJson's first half). */
export function readJsonText(path: string, kindName: JsonFileKindName): string {
  const kind: JsonFileKind = JSON_FILE_KINDS[kindName];
  return decodeUtf8(path, readBounded(path, kind.maxBytes, kind.root));
}

/** Parse and scan text read from `path` (readJson's second half). */
export function parseJsonText(path: string, text: string, kindName: JsonFileKindName): unknown {
  const kind: JsonFileKind = JSON_FILE_KINDS[kindName];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new JsonContentError(path, `is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  // Without the strict scan, depth still matters: only containers can be deep.
  const problem = kind.strict ? scanJson(text, kind.root, kind.maxDepth) : typeof value === 'object' && value !== null ? scanDepthOnly(text, kind.root, kind.maxDepth) : null;
  if (problem) throw new JsonContentError(path, problem);
  return value;
}

/** Depth alone (cache files: checksummed, so keys and escapes are ours), skipping strings fast. */
function scanDepthOnly(text: string, root: string, maxDepth: number): string | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: to the next quote not preceded by an odd run of backslashes.
      for (i = text.indexOf('"', i + 1); ; i = text.indexOf('"', i + 1)) {
        let b = 0;
        while (text.charCodeAt(i - 1 - b) === 0x5c) b++;
        if (b % 2 === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return `is nested deeper than ${maxDepth} levels (in ${root}, ${lineCol(text, i)})`;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return null;
}
