/**
 * The one font every figure uses: DejaVu Sans, from the `dejavu-fonts-ttf` npm package.
 *
 * Why pinned files: text widths decide the layout (axis offsets, label-overlap removal,
 * legend sizes). Measured with whatever fonts a machine happens to have, the same spec would
 * give different SVG bytes on different machines. The package ships fixed files, so the
 * measurement (and the PNG preview, see png.ts) is the same everywhere.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Family name written into specs/SVG (what browsers and resvg look up). */
export const FONT_FAMILY = 'DejaVu Sans';

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
