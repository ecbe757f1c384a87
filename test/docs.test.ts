/**
 * The documentation holds together (unit tier): every relative link of README.md, CONTRIBUTING.md
 * and docs/*.md names a file of the repository (and, with an anchor, one of its headings), no
 * link leaves the repository, the README stays short, and every TypeScript block of the
 * contributing guide is either an excerpt or compiles against the real sources at the path it
 * names (```ts check path=…), so the worked examples cannot drift from the code.
 * Power: a planted broken link, anchor, escaping link and snippet that does not compile are each
 * reported by the same functions.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../src/root.ts';
import { compileSnippets, headingAnchors, linkProblems, outsidePathMentions, typescriptBlocks, type Snippet } from './helpers/docs.ts';

const README_MAX_LINES = 200;
const DOCS = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

/** The guide's TypeScript blocks: `ts check path=FILE` compiles as FILE; `ts excerpt` shows part of an existing file. */
function guideSnippets(rel: string): { snippets: Snippet[]; problems: string[] } {
  const snippets: Snippet[] = [];
  const problems: string[] = [];
  for (const block of typescriptBlocks(read(rel))) {
    const origin = `${rel}:${block.line}`;
    const check = /^(?:ts|typescript)\s+check\s+path=(\S+)$/.exec(block.info);
    if (check) {
      // A new file the guide walks through; a path that exists would hide the real file.
      if (existsSync(join(ROOT, check[1]))) problems.push(`${origin}: ${check[1]} exists; a checked snippet must be a new file`);
      snippets.push({ path: check[1], code: block.code, origin });
    } else if (!/^(?:ts|typescript)\s+excerpt$/.test(block.info)) {
      problems.push(`${origin}: "${block.info}": mark it "ts check path=FILE" (compiled) or "ts excerpt"`);
    }
  }
  return { snippets, problems };
}

describe('documentation links', () => {
  it.each(DOCS)('%s: every relative link resolves inside the repository', (rel) => {
    expect(linkProblems(ROOT, join(ROOT, rel), read(rel))).toEqual([]);
  });

  it.each(DOCS)('%s: names no path outside the repository, linked or not', (rel) => {
    expect(outsidePathMentions(ROOT, join(ROOT, rel), read(rel))).toEqual([]);
  });

  it(`README.md has at most ${README_MAX_LINES} lines`, () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('reads anchors as GitHub writes them', () => {
    const anchors = headingAnchors('# Cluster (SLURM)\n## Figure 5: where, and `why`\n```\n# not a heading\n```\n## Notes\n## Notes\n');
    expect([...anchors]).toEqual(['cluster-slurm', 'figure-5-where-and-why', 'notes', 'notes-1']);
  });

  it('has power: a missing file, a missing heading, a link out of the repository and an absolute one are reported', () => {
    const file = join(ROOT, 'docs', 'planted.md');
    const text = [
      '# Planted',
      'fine: [readme](../README.md), [a heading](#planted), [web](https://example.org/x)',
      'missing file: [x](no-such-file.md)',
      'missing heading: [x](../README.md#no-such-heading)',
      'outside: [x](../../shared/theory-notes.md)',
      'absolute: [x](/etc/passwd)',
      '`[in code](nowhere.md)` is not a link',
      '```',
      '[in a fence](nowhere.md)',
      '```',
    ].join('\n');
    const problems = linkProblems(ROOT, file, text);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/docs\/planted\.md:3: no-such-file\.md: .* does not exist/);
    expect(problems[1]).toMatch(/:4: .*has no heading #no-such-heading/);
    expect(problems[2]).toMatch(/:5: .*outside the repository/);
    expect(problems[3]).toMatch(/:6: .*not a relative link/);
    expect(outsidePathMentions(ROOT, join(ROOT, 'README.md'), 'See `../shared/theory-notes.md` and `src/cli.ts`.')).toEqual(['README.md:1: ../shared/theory-notes.md: outside the repository']);
    expect(outsidePathMentions(ROOT, file, 'See `../src/cli.ts`.')).toEqual([]);
  });
});

describe('CONTRIBUTING.md: the worked examples compile', () => {
  const { snippets, problems } = guideSnippets('CONTRIBUTING.md');
  // Power: two planted snippets, compiled in the same program (one compiler start for all).
  const planted: Snippet[] = [
    { path: 'src/commands/planted-type-error.ts', origin: 'planted:1', code: "import type { Command } from './types.ts';\nexport const c: Command = { help: 1, run: async () => 0 };\n" },
    { path: 'src/commands/planted-bad-import.ts', origin: 'planted:2', code: "import { nothing } from './no-such-module.ts';\nexport const x = nothing;\n" },
  ];
  let errors: string[] = [];
  beforeAll(() => {
    errors = compileSnippets(ROOT, [...snippets, ...planted]);
  });

  it('marks every TypeScript block, and has a checked one for each worked example', () => {
    expect(problems).toEqual([]);
    // A figure, a command, an engine, an activation (with its test).
    expect(snippets.length).toBeGreaterThanOrEqual(4);
  });

  it('every checked block type-checks against src/ at its path', () => {
    expect(errors.filter((e) => !e.startsWith('planted:'))).toEqual([]);
  });

  it('has power: a snippet with a type error or a wrong import is reported', () => {
    expect(errors.some((e) => e.startsWith('planted:1') && /not assignable to type 'string'/.test(e))).toBe(true);
    expect(errors.some((e) => e.startsWith('planted:2') && /Cannot find module/.test(e))).toBe(true);
  });
});
