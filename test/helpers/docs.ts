/**
 * Test helper for the documentation (README.md, CONTRIBUTING.md, docs/*.md): the relative links
 * of a Markdown file and whether they resolve inside the repository (file, and heading anchor as
 * GitHub slugs it), and the TypeScript blocks of a guide compiled against the real sources.
 *
 * Pure functions over text plus a compile step, so the test can feed them planted mistakes
 * (a broken link, a snippet that does not compile) and see them reported (power).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** A line of Markdown outside fenced code blocks, with its 1-based number. */
interface ProseLine {
  line: number;
  text: string;
}

/** The lines outside ``` / ~~~ fences (the fences themselves excluded). */
function proseLines(markdown: string): ProseLine[] {
  const out: ProseLine[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, i) => {
    const m = /^\s*(```+|~~~+)/.exec(text);
    if (m) {
      if (fence === null) fence = m[1][0];
      else if (m[1][0] === fence) fence = null;
      return;
    }
    if (fence === null) out.push({ line: i + 1, text });
  });
  return out;
}

export interface MarkdownLink {
  line: number;
  target: string;
}

/** Every inline link and image target `[text](target)` / `![alt](target)` outside code. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: m[1] });
  }
  return links;
}

/** GitHub's anchor for a heading text: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text
    .replace(/<[^>]+>/g, '') // inline HTML
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings (ATX `#` headings outside code), duplicates numbered as GitHub does. */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!m) continue;
    const base = githubSlug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Web and mail links: not files of the repository, not checked here. */
const EXTERNAL = /^(https?:|mailto:)/i;

/**
 * The problems of one file's links, one line each: a target that is not a relative path, leaves
 * the repository, does not exist, or names a heading its Markdown file does not have.
 * `read` gives the text of a Markdown file of the repository (for anchors).
 */
export function linkProblems(root: string, file: string, markdown: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const problems: string[] = [];
  const where = (l: MarkdownLink) => `${relative(root, file)}:${l.line}: ${l.target}`;
  for (const link of markdownLinks(markdown)) {
    const { target } = link;
    if (EXTERNAL.test(target)) continue;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || isAbsolute(target) || target.startsWith('//')) {
      problems.push(`${where(link)}: not a relative link`);
      continue;
    }
    const hash = target.indexOf('#');
    const pathPart = decodeURI(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
    const abs = pathPart === '' ? file : resolve(dirname(file), pathPart);
    const rel = relative(root, abs);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      problems.push(`${where(link)}: outside the repository`);
      continue;
    }
    if (pathPart !== '' && !existsSync(abs)) {
      problems.push(`${where(link)}: ${rel} does not exist`);
      continue;
    }
    if (anchor !== null) {
      if (!abs.endsWith('.md') || (abs !== file && statSync(abs).isDirectory())) {
        problems.push(`${where(link)}: an anchor into a file that is not Markdown`);
        continue;
      }
      const text = abs === file ? markdown : read(abs);
      if (!headingAnchors(text).has(anchor)) problems.push(`${where(link)}: ${rel} has no heading #${anchor}`);
    }
  }
  return problems;
}

/**
 * Relative paths written out in prose or code spans (not as links) that climb out of the
 * repository or name nothing, such as `../shared/notes.md`: a reader of the repository cannot
 * open them.
 */
export function outsidePathMentions(root: string, file: string, markdown: string): string[] {
  const problems: string[] = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const m of text.matchAll(/(?:^|[\s(`'"])((?:\.\.\/)+[\w.\/-]*)/g)) {
      const abs = resolve(dirname(file), m[1]);
      const rel = relative(root, abs);
      if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) problems.push(`${relative(root, file)}:${line}: ${m[1]}: outside the repository`);
      else if (!existsSync(abs)) problems.push(`${relative(root, file)}:${line}: ${m[1]}: ${rel} does not exist`);
    }
  }
  return problems;
}

export interface CodeBlock {
  /** Line of the opening fence (1-based). */
  line: number;
  /** The info string after the fence, e.g. "ts check path=src/commands/hello.ts". */
  info: string;
  code: string;
}

/** The fenced code blocks of a Markdown file whose language is ts or typescript. */
export function typescriptBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(```+)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(open[1]) && l.trim() === open[1]);
    const stop = end < 0 ? lines.length : end;
    const info = open[2].trim();
    if (/^(ts|typescript)(\s|$)/.test(info)) blocks.push({ line: i + 1, info, code: lines.slice(i + 1, stop).join('\n') });
    i = stop;
  }
  return blocks;
}

/** A snippet to compile as if it were the file at `path` (relative to the repository root). */
export interface Snippet {
  path: string;
  code: string;
  /** Where it comes from, for messages (e.g. "CONTRIBUTING.md:120"). */
  origin: string;
}

/**
 * Type-check snippets against the real sources with the repository's tsconfig: each is served to
 * the compiler at its own path, as if that file existed (nothing is written to disk), so its
 * relative imports resolve as they would in the tree, and snippets may import each other.
 * Returns one line per diagnostic in a snippet (or in the options).
 */
export function compileSnippets(root: string, snippets: readonly Snippet[]): string[] {
  const configFile = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  if (configFile.error) return [ts.flattenDiagnosticMessageText(configFile.error.messageText, '\n')];
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true };
  const virtual = new Map(snippets.map((s) => [resolve(root, s.path), s]));
  const host = ts.createCompilerHost(options, true);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => virtual.has(resolve(f)) || fileExists(f);
  host.readFile = (f) => virtual.get(resolve(f))?.code ?? readFile(f);
  host.getSourceFile = (f, language, onError, create) => {
    const s = virtual.get(resolve(f));
    return s ? ts.createSourceFile(f, s.code, language, true, ts.ScriptKind.TS) : getSourceFile(f, language, onError, create);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const diagnostics: ts.Diagnostic[] = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const abs of virtual.keys()) {
    const sf = program.getSourceFile(abs);
    if (!sf) continue;
    diagnostics.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
  }
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!d.file || d.start === undefined) return text;
    const s = virtual.get(resolve(d.file.fileName));
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${s ? `${s.origin} (${s.path}:${line + 1})` : `${relative(root, d.file.fileName)}:${line + 1}`}: ${text}`;
  });
}
