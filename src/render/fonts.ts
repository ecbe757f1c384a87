/**
 * The one font every figure uses: DejaVu Sans, from the `dejavu-fonts-ttf` npm package.
 *
 * Why pinned files: text widths decide the layout (axis offsets, label-overlap removal,
 * legend sizes). Measured with whatever fonts a machine happens to have, the same spec would
 * give different SVG bytes on different machines. The package ships fixed files, so the
 * measurement (and the PNG preview, see png.ts) is the same everywhere.
 */
import { GlobalFonts } from '@napi-rs/canvas';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Family name written into specs/SVG (what browsers and resvg look up). */
export const FONT_FAMILY = 'DejaVu Sans';

/**
 * Family name under which the pinned files are registered with @napi-rs/canvas for
 * measuring. A private alias, because @napi-rs/canvas also loads the system fonts, and a
 * system "DejaVu Sans" (Debian's fonts-dejavu, which also names its Condensed faces
 * "DejaVu Sans") could otherwise be picked instead of the pinned files.
 */
export const MEASURE_FAMILY = 'tsdyn-pinned-DejaVuSans';

export interface FontFiles {
  regular: string;
  bold: string;
  oblique: string;
  boldOblique: string;
}

let files: FontFiles | undefined;

/** Absolute paths of the four DejaVu Sans faces inside the installed `dejavu-fonts-ttf`. */
export function fontFiles(): FontFiles {
  if (files) return files;
  const pkgDir = dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json'));
  const ttf = (name: string) => {
    const p = join(pkgDir, 'ttf', name);
    if (!existsSync(p)) throw new Error(`render/fonts: missing font file ${p} (is dejavu-fonts-ttf installed?)`);
    return p;
  };
  files = {
    regular: ttf('DejaVuSans.ttf'),
    bold: ttf('DejaVuSans-Bold.ttf'),
    oblique: ttf('DejaVuSans-Oblique.ttf'),
    boldOblique: ttf('DejaVuSans-BoldOblique.ttf'),
  };
  return files;
}

/** The four paths as a list, in a fixed order (for resvg's `fontFiles`). */
export function fontFileList(): string[] {
  const f = fontFiles();
  return [f.regular, f.bold, f.oblique, f.boldOblique];
}

let registered = false;

/** Register the pinned faces with @napi-rs/canvas under MEASURE_FAMILY. Idempotent. */
export function registerFonts(): void {
  if (registered) return;
  for (const path of fontFileList()) {
    if (!GlobalFonts.registerFromPath(path, MEASURE_FAMILY)) throw new Error(`render/fonts: @napi-rs/canvas could not load ${path}`);
  }
  registered = true;
}
