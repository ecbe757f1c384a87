/**
 * Sizes for people and limits on text: byte counts as "1.5 GiB", large counts as "1.2e10",
 * byte sizes parsed from flags ("8G"), and the longest JSON text one string can hold. Used by
 * the file readers and writers as well as by the resource guard, so it imports nothing.
 */

/** V8 cannot hold a string longer than 2²⁹ − 24 characters, so one JSON text is at most this. */
export const MAX_OUTPUT_BYTES = 2 ** 29 - 24;

/** "1.2e+10" → "1.2e10". */
export function sci(x: number): string {
  return x < 1e6 ? String(Math.round(x)) : x.toPrecision(2).replace('e+', 'e');
}

export function bytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${b < 10 && i > 0 ? b.toFixed(1) : Math.round(b)} ${units[i]}`;
}

/** Parse "8G", "512M", "1e9" (bytes; K/M/G/T powers of 1024) — for flags and env vars. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(text);
  if (!m) return null;
  const mult = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[(m[2] ?? '').charAt(0).toLowerCase()] ?? 1;
  const x = Number(m[1]) * mult;
  return Number.isFinite(x) && x > 0 ? x : null;
}
