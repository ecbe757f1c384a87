/**
 * Build figures/explorer.html: bundle src/explorer/page.ts (and its worker, inlined as a
 * string and started from a blob: URL) with esbuild, inline vega, vega-lite and vega-embed,
 * and write one self-contained offline page. Deterministic: same sources → same bytes.
 *
 *   npx tsx scripts/build-explorer.ts [--out FILE]     (default figures/explorer.html)
 *
 * Node-only modules are isolated: every `node:*` import resolves to a stub whose exports throw,
 * and the build fails if any stub survives tree-shaking, i.e. if page code could reach a
 * Node API (today only io.ts's writeFileAtomic and runs/hash.ts's hashing sit behind such
 * imports, and the page uses neither).
 */
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { writeFileAtomic } from '../src/io.ts';
import { presetTable } from '../src/explorer/presets.ts';
import { pageHtml } from '../src/explorer/template.ts';
import { galleryLibraries, inlineScript } from '../src/render/html.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const EXPLORER_PATH = join(ROOT, 'figures', 'explorer.html');
const STUB_MARKER = 'tsdyn-node-only-stub';

/** `node:fs` etc. → a module of throwing stubs; seedrandom's optional `require('crypto')` → {}. */
const nodeStubs: Plugin = {
  name: 'node-stubs',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    b.onResolve({ filter: /^crypto$/ }, () => ({ path: 'crypto', namespace: 'empty-cjs' }));
    b.onLoad({ filter: /.*/, namespace: 'empty-cjs' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, async (args) => {
      const name = args.path.slice('node:'.length);
      if (!builtinModules.includes(name)) return { errors: [{ text: `unknown Node module ${args.path}` }] };
      const real = (await import(args.path)) as Record<string, unknown>;
      const names = Object.keys(real).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
      const lines = names.map((k) => `export const ${k} = () => { throw new Error('${STUB_MARKER}: ${args.path}.${k} is not available in the browser'); };`);
      lines.push(`export default { marker: '${STUB_MARKER}: ${args.path}' };`);
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/** Bundle `entry` (relative to the repo root) for the page; throws if it reaches Node-only code. */
export async function bundleForBrowser(entry: string, define: Record<string, string> = {}): Promise<string> {
  const result = await build({
    entryPoints: [resolve(ROOT, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    define,
    plugins: [nodeStubs],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const leaked = [...code.matchAll(new RegExp(`${STUB_MARKER}: ([\\w:./]+)`, 'g'))].map((m) => m[1]);
  if (leaked.length) throw new Error(`build-explorer: ${entry} reaches Node-only code: ${[...new Set(leaked)].join(', ')}`);
  return code;
}

export interface ExplorerBuild {
  html: string;
  bytes: { total: number; page: number; worker: number; libraries: number };
}

export async function buildExplorer(): Promise<ExplorerBuild> {
  const worker = await bundleForBrowser('src/explorer/worker.ts');
  const page = await bundleForBrowser('src/explorer/page.ts', { __WORKER_SOURCE__: JSON.stringify(worker), __PRESETS__: JSON.stringify(presetTable()) });
  const libs = galleryLibraries();
  const html = pageHtml({
    title: 'tsdyn explorer',
    scripts: [...libs.map((l) => ({ comment: `${l.name} ${l.version}`, code: l.code })), { comment: 'tsdyn explorer (bundled from src/explorer/page.ts)', code: inlineScript(page, 'page bundle') }],
  });
  const size = (s: string) => Buffer.byteLength(s, 'utf8');
  return { html, bytes: { total: size(html), page: size(page) - size(JSON.stringify(worker)), worker: size(worker), libraries: libs.reduce((a, l) => a + size(l.code), 0) } };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? process.argv[i + 1] : EXPLORER_PATH;
  if (!out) throw new Error('--out: missing FILE');
  const { html, bytes } = await buildExplorer();
  writeFileAtomic(out, html);
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  process.stdout.write(`explorer: ${out} ${kb(bytes.total)} (page ${kb(bytes.page)}, worker ${kb(bytes.worker)}, vega libraries ${kb(bytes.libraries)})\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    process.stderr.write(`build-explorer: ${(e as Error).message.split('\n')[0]}\n`);
    process.exitCode = 1;
  });
}
