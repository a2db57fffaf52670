/**
 * The architecture, checked (docs/architecture.md draws it). Reads the import graph of src/ and
 * reference-server/ from the text of their files (static imports and re-exports, `import type`,
 * and dynamic `import('...')` of relative paths) and fails on an arrow that must never exist:
 *
 * - a cycle between files, or between folders (the top-level folders of src/ and of
 *   reference-server/; a file directly in src/ is a node of its own, files directly in
 *   reference-server/ form its root node);
 * - src/cli/ imported from outside it: the library has no UI (it writes through src/output.ts);
 * - src/transport/ importing src/scenario/ or src/load/: the wire knows nothing of what runs on it;
 * - reference-server/ importing the tester's judgement (src/scenario/, src/conformance/, the spec
 *   validator): the baseline must not share the code that judges it;
 * - code importing test support (*.test.ts, testing/ folders);
 * - a source file over 500 lines without a comment at its top that says why.
 *
 * Tests and test support (testing/ folders) may import anything and are not nodes of the graph.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './util/paths.js';

/** An import that breaks a rule of the graph, a long file without its reason, or a command that parses the run's flags itself. */
type Rule = 'import' | 'long-file' | 'flag-parse';

interface Allowed {
  rule: Rule;
  /** The importing file (or the long file, or the command that parses a flag itself). */
  from: string;
  /** The imported file (an import of the pair that closes a cycle), or what the entry stands for. */
  to: string;
  /** Who removes the entry: the area whose change makes it unneeded. */
  owner: string;
}

/**
 * THE ALLOW-LIST: arrows that break a rule above, each with the area that removes it. It is empty:
 * every rule holds. An entry that is no longer needed fails the test, so a list that ever grows
 * again only shrinks. Nothing of src/scenario, src/conformance, src/cli, src/reporters, src/auth,
 * src/http, src/embedded, src/transport/target.ts, src/index.ts, src/errors.ts, src/findings.ts
 * or src/output.ts may be here.
 */
const ALLOWED: readonly Allowed[] = [];

const ROOT = packageRoot();

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const isTestSupport = (file: string): boolean => file.endsWith('.test.ts') || file.split('/').includes('testing');

const IMPORT_PATTERNS = [
  /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
  /(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The files a file imports by relative path (`./x.js` is x.ts; a folder is its index.ts). */
function importsOf(file: string, text: string): string[] {
  const out = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      const spec = m[1] as string;
      if (!spec.startsWith('.')) continue;
      let target = relative(ROOT, resolve(ROOT, dirname(file), spec.replace(/\.js$/, '.ts')));
      if (!existsSync(join(ROOT, target))) target = `${target}/index.ts`;
      if (!existsSync(join(ROOT, target))) throw new Error(`${file} imports ${spec}, which is not a file`);
      out.add(target);
    }
  }
  return [...out];
}

const FILES = [...sourceFiles('src'), ...sourceFiles('reference-server')];
const TEXT = new Map(FILES.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
const CODE = FILES.filter((f) => !isTestSupport(f));
const IMPORTS = new Map(CODE.map((f) => [f, importsOf(f, TEXT.get(f) as string)]));

/** The folder node of a file. */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : file;
  return parts.length > 2 ? `reference-server/${parts[1]}` : 'reference-server';
}

const used = new Set<Allowed>();
function allowed(rule: Rule, from: string, to: string): boolean {
  const entry = ALLOWED.find((a) => a.rule === rule && a.from === from && a.to === to);
  if (entry) used.add(entry);
  return entry !== undefined;
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(nodes: readonly string[], next: (node: string) => readonly string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return found;
}

/** The imports between code files, less those the allow-list lets stand for now. */
function codeImports(): [string, string][] {
  const edges: [string, string][] = [];
  for (const from of CODE) for (const to of IMPORTS.get(from) ?? []) if (!isTestSupport(to) && !allowed('import', from, to)) edges.push([from, to]);
  return edges;
}

describe('the import graph', () => {
  it('reads every relative import of src/ and reference-server/', () => {
    expect(CODE.length).toBeGreaterThan(150);
    expect(IMPORTS.get('src/conformance/run-cases.ts')).toContain('src/scenario/run-case.ts');
    // A dynamic import counts: the CLI loads its library lazily.
    expect(IMPORTS.get('src/cli/commands/run.ts')).toContain('src/conformance/run-cases.ts');
    expect(IMPORTS.get('src/embedded/target.ts')).toContain('reference-server/server.ts');
  });

  it('has no cycle between files', () => {
    const edges = codeImports();
    const next = (f: string): string[] => edges.filter(([a]) => a === f).map(([, b]) => b);
    expect(cycles(CODE, next)).toEqual([]);
  });

  it('has no cycle between folders', () => {
    const edges = codeImports();
    const between = new Map<string, Set<string>>();
    for (const [a, b] of edges) {
      if (folderOf(a) === folderOf(b)) continue;
      if (!between.has(folderOf(a))) between.set(folderOf(a), new Set());
      between.get(folderOf(a))?.add(folderOf(b));
    }
    const found = cycles([...new Set(CODE.map(folderOf))], (f) => [...(between.get(f) ?? [])]);
    // Name the imports that close each cycle, so a failure says where to look.
    const detail = found.map((c) => edges.filter(([a, b]) => c.includes(folderOf(a)) && c.includes(folderOf(b)) && folderOf(a) !== folderOf(b)).map(([a, b]) => `${a} -> ${b}`));
    expect(detail).toEqual([]);
  });

  it('keeps src/cli/ to itself: nothing outside it imports it', () => {
    expect(codeImports().filter(([a, b]) => b.startsWith('src/cli/') && !a.startsWith('src/cli/'))).toEqual([]);
  });

  it('keeps the transport free of what runs on it: src/transport/ imports neither src/scenario/ nor src/load/', () => {
    expect(codeImports().filter(([a, b]) => a.startsWith('src/transport/') && (b.startsWith('src/scenario/') || b.startsWith('src/load/')))).toEqual([]);
  });

  it('keeps the reference server apart from the judgement: no import of src/scenario/, src/conformance/ or the spec validator', () => {
    const judgement = (f: string): boolean => f.startsWith('src/scenario/') || f.startsWith('src/conformance/') || f === 'src/spec/validator.ts';
    expect(codeImports().filter(([a, b]) => a.startsWith('reference-server/') && judgement(b))).toEqual([]);
  });

  it('keeps test support out of the code', () => {
    const bad = CODE.flatMap((f) => (IMPORTS.get(f) ?? []).filter(isTestSupport).map((t) => `${f} -> ${t}`));
    expect(bad).toEqual([]);
  });

  it('says at its top why a source file runs over 500 lines', () => {
    const long = FILES.filter((f) => (TEXT.get(f) as string).split('\n').length > 500);
    const headComment = (f: string): string => /^\/\*[^]*?\*\//.exec(TEXT.get(f) as string)?.[0] ?? '';
    const unexplained = long.filter((f) => !/\b(over|more than) 500 lines\b/.test(headComment(f)) && !allowed('long-file', f, 'over 500 lines'));
    expect(unexplained).toEqual([]);
  });
});

describe('the run\'s --target and --profile', () => {
  const cli = CODE.filter((f) => f.startsWith('src/cli/'));

  it('are each turned into a value by one function: targetArg and profileArg in src/cli/options.ts', () => {
    const options = TEXT.get('src/cli/options.ts') as string;
    expect(options).toMatch(/export function targetArg\(value: string\): RunTarget \{\n\s+return urlTarget\(value\);\n\}/);
    expect(options).toMatch(/export function profileArg\(value: string\): Profile \{\n\s+return loadProfile\(value\);\n\}/);
    // Declared once, with those parsers.
    expect(cli.filter((f) => /'--target </.test(TEXT.get(f) as string))).toEqual(['src/cli/options.ts']);
    expect(options).toMatch(/\.option\('--target <url>', targetHelp, targetArg as /);
    expect(options).toMatch(/\.option\('--profile <name\|path>', [^\n]*, profileArg as /);
  });

  it('are parsed nowhere else on the command line: no command makes a target, and none loads or defaults the flag\'s profile', () => {
    const parsing = cli.filter((f) => f !== 'src/cli/options.ts').filter((f) => {
      const text = TEXT.get(f) as string;
      const makesTarget = /\b(urlTarget|parseTarget)\(/.test(text);
      const handsOnTarget = /\btarget: options\.target\b/.test(text);
      const loadsFlagProfile = /loadProfile\((options|opts)\.profile\b/.test(text) || /\b(options|opts)\.profile \?\? /.test(text);
      return (makesTarget || handsOnTarget || loadsFlagProfile) && !allowed('flag-parse', f, '--target, --profile');
    });
    expect(parsing).toEqual([]);
  });

  it('leaves no other way of reading a scheme out of a URL', () => {
    const gone = [/\bschemeOf\(/, /\burlScheme\(/, /\btoTransportUrl\(/, /split\(':'\)\[0\]/, /replace\(\/\^(ws|http)\(s\?\):/];
    expect(CODE.filter((f) => gone.some((p) => p.test(TEXT.get(f) as string)))).toEqual([]);
  });
});

describe('the README\'s Layout section', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^## Layout\n[^]*?^```\n([^]*?)^```/m.exec(readme)?.[1] ?? '';
  const lines = section.split('\n').filter(Boolean);
  // `  name/ other/  text`: the names before the description, two spaces in.
  const srcNames = lines.filter((l) => /^ {2}\S/.test(l)).flatMap((l) => (l.trim().split(/\s{2,}/)[0] as string).split(' '));

  it('names every folder and code file of src/, and nothing that is not there', () => {
    const entries = readdirSync(join(ROOT, 'src'), { withFileTypes: true });
    const actual = entries.filter((e) => e.isDirectory() || (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    expect(srcNames.filter((n) => !n.endsWith('.test.ts')).sort()).toEqual(actual.sort());
    for (const name of srcNames) expect(existsSync(join(ROOT, 'src', name)), name).toBe(true);
  });

  it('names top-level paths that exist', () => {
    const top = lines.filter((l) => /^\S/.test(l)).map((l) => l.split(/\s{2,}/)[0] as string).filter((p) => !p.includes('<'));
    expect(top.length).toBeGreaterThan(5);
    for (const path of top) expect(existsSync(join(ROOT, path)), path).toBe(true);
  });
});

describe('the allow-list', () => {
  it('holds only entries still needed, none of this area', () => {
    // Run after the checks above have consulted it (vitest runs a file's tests in order).
    const stale = ALLOWED.filter((a) => !used.has(a)).map((a) => `${a.rule} ${a.from} -> ${a.to}`);
    expect(stale).toEqual([]);
    const mine = ['src/scenario/', 'src/conformance/', 'src/reporters/', 'src/auth/', 'src/http/', 'src/embedded/', 'src/transport/target.ts', 'src/index.ts', 'src/errors.ts', 'src/findings.ts', 'src/output.ts'];
    expect(ALLOWED.filter((a) => mine.some((m) => a.from.startsWith(m)))).toEqual([]);
  });
});
