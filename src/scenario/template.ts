/**
 * Templating of scenario values: `${var}`, `${var.path}`, captures, and generators for boundary
 * data. A YAML value is compiled once, when the scenario loads, into a Template tree; a bad
 * expression is reported there (with its offset, so the parser can give a column), never mid-run.
 *
 * A string that is exactly one `${...}` keeps the type of its value (`room_id: "${room}"` stays a
 * number); anywhere else the value is interpolated as text. `$${` writes a literal `${`.
 *
 * Generators:
 *   text(n)  text(n, ascii|hangul|emoji|cjk)   n Unicode code points of one kind
 *   uid()  uid(prefix)                          a unique id for this run
 *   now()  now(-5m)  now(+30s)                  ISO 8601 UTC time with milliseconds, shifted
 *   nowms()  nowms(-5m)                         the same as epoch milliseconds
 *   bytes(n)                                    (send only) pad this string so the serialised
 *                                               message is exactly n bytes
 */
import { parseDuration } from '../util/duration.js';
import { generateText, isTextKind, type TextKind } from './generators.js';

/** Keys and indexes from a variable's name down (`r.participants[1].user_id`). */
export type VarPath = (string | number)[];

/** One term of a sum: a variable or a number (ms for a duration), times `factor`, added or subtracted. */
export interface SumTerm {
  sign: 1 | -1;
  factor: number;
  value: VarPath | number;
}

export type Expr =
  /** A variable, its value as it is. */
  | { kind: 'var'; path: VarPath; source: string; offset: number }
  /** Arithmetic over numbers (`limits.maxTextChars + 1`, `timers.pingInterval + timers.pongTimeout`), rounded to a whole number. */
  | { kind: 'sum'; terms: SumTerm[]; source: string; offset: number }
  | { kind: 'text'; count: Count; textKind: TextKind }
  | { kind: 'uid'; prefix: string }
  | { kind: 'now'; offsetMs: number; format: 'iso' | 'ms' }
  | { kind: 'bytes'; size: Count };

/** An expression whose value is a number or read from a variable. */
export type NumericExpr = Extract<Expr, { kind: 'var' | 'sum' }>;

/** A whole number given literally or read from a variable when the step runs. */
export type Count = number | NumericExpr;

export type Template =
  | { t: 'lit'; value: unknown }
  | { t: 'expr'; expr: Expr }
  | { t: 'str'; parts: (string | Expr)[] }
  | { t: 'obj'; entries: [string, Template][] }
  | { t: 'arr'; items: Template[] };

export class TemplateError extends Error {
  constructor(
    message: string,
    /** Offset of the problem inside the string. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Marks a string the send step must pad so the serialised message has exactly `size` bytes. */
export class ByteFill {
  constructor(readonly size: number) {}
}

export interface TemplateContext {
  /** Variables, captures and client identities; looked up by the first path segment. */
  lookup(name: string): unknown;
  has(name: string): boolean;
  uid(prefix: string): string;
  /** Epoch milliseconds. */
  now(): number;
}

const GENERATORS = 'text(n, kind), uid(prefix?), now(±duration?), nowms(±duration?), bytes(n)';

/** Compiles a plain YAML value (already converted to JS) into a Template. */
export function compileTemplate(value: unknown, onError?: (err: TemplateError, path: (string | number)[]) => never, path: (string | number)[] = []): Template {
  if (typeof value === 'string') {
    if (!value.includes('${')) return { t: 'lit', value };
    try {
      return compileString(value);
    } catch (err) {
      if (err instanceof TemplateError && onError) onError(err, path);
      throw err;
    }
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileTemplate(v, onError, [...path, i]));
    return items.every((i) => i.t === 'lit') ? { t: 'lit', value } : { t: 'arr', items };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => [k, compileTemplate(v, onError, [...path, k])] as [string, Template],
    );
    return entries.every(([, t]) => t.t === 'lit') ? { t: 'lit', value } : { t: 'obj', entries };
  }
  return { t: 'lit', value };
}

export function compileString(input: string): Template {
  const parts: (string | Expr)[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    if (input.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (input.startsWith('${', i)) {
      const end = input.indexOf('}', i + 2);
      if (end < 0) throw new TemplateError(`unclosed \${ in ${JSON.stringify(input)}`, i);
      if (text) parts.push(text);
      text = '';
      parts.push(parseExpr(input.slice(i + 2, end), i + 2));
      i = end + 1;
      continue;
    }
    text += input[i];
    i += 1;
  }
  if (text) parts.push(text);
  if (parts.length === 1 && typeof parts[0] !== 'string') return { t: 'expr', expr: parts[0] as Expr };
  if (parts.every((p) => typeof p === 'string')) return { t: 'lit', value: parts.join('') };
  if (parts.some((p) => typeof p !== 'string' && p.kind === 'bytes')) {
    throw new TemplateError('bytes(n) must be the whole value of a field, e.g. content: "${bytes(1048576)}"', 0);
  }
  return { t: 'str', parts };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function parseExpr(source: string, offset: number): Expr {
  const body = source.trim();
  const call = /^([a-z]+)\s*\((.*)\)$/s.exec(body);
  if (call) {
    const name = call[1] as string;
    const args = (call[2] as string).trim() === '' ? [] : (call[2] as string).split(',').map((a) => a.trim());
    return parseCall(name, args, offset);
  }
  return parseVar(body, source, offset);
}

/** A term of a sum: a variable or a number (a duration with a unit counts as its ms), times an optional factor. */
const TERM = /^(.+?)(?:\s*\*\s*(\d+(?:\.\d+)?))?$/;
const NUMBER = /^\d+(?:\.\d+)?\s*(?:ms|s|m|h)?$/;
/**
 * Where a sum splits into terms: `+` anywhere, `-` when a space stands beside it or a number
 * follows it (`a-1` is a minus 1; `my-var` is one name, since names may hold `-`).
 */
const OPERATOR = /\s*\+\s*|\s+-\s*|\s*-\s+|-(?=\d)/g;

/**
 * A variable, or a sum of terms (`limits.maxTextChars + 1`, `timers.pingInterval + timers.pongTimeout`,
 * `timers.pongTimeout * 1.1 + 250ms`): each term a variable or a number, times an optional factor.
 */
function parseVar(body: string, source: string, offset: number): NumericExpr {
  const bad = (): never => {
    throw new TemplateError(`bad template expression \${${source}}: expected a variable (name, name.field, name[0]), a sum such as name + 1 or a * 1.1 + b, or a generator: ${GENERATORS}`, offset);
  };
  const operators = [...body.matchAll(OPERATOR)];
  const texts: string[] = [];
  let from = 0;
  for (const m of operators) {
    texts.push(body.slice(from, m.index));
    from = (m.index as number) + m[0].length;
  }
  texts.push(body.slice(from));
  const terms: SumTerm[] = texts.map((text, i) => {
    const sign = i === 0 ? 1 : (operators[i - 1] as RegExpMatchArray)[0].includes('-') ? -1 : 1;
    const term = TERM.exec(text.trim());
    if (!term || !term[1]) return bad();
    const operand = (term[1] as string).trim();
    const factor = term[2] === undefined ? 1 : Number(term[2]);
    if (NUMBER.test(operand)) {
      // A bare number is a count (`+ 1`); with a unit it is a duration in ms (`+ 500ms`).
      return { sign, factor, value: /[a-z]$/.test(operand) ? parseDuration(operand.replace(/\s+/g, '')) : Number(operand) };
    }
    return { sign, factor, value: parsePath(operand, bad) };
  });
  const first = terms[0] as SumTerm;
  if (!terms.some((t) => typeof t.value !== 'number')) return bad();
  if (terms.length === 1 && first.factor === 1 && first.sign === 1) return { kind: 'var', path: first.value as VarPath, source: body, offset };
  return { kind: 'sum', terms, source: body, offset };
}

function parsePath(ref: string, bad: () => never): VarPath {
  const path: VarPath = [];
  for (const raw of ref.split('.')) {
    const segment = /^([A-Za-z_][A-Za-z0-9_-]*)((?:\[\d+\])*)$/.exec(raw.trim());
    if (!segment) return bad();
    path.push(segment[1] as string);
    for (const index of (segment[2] as string).matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]));
  }
  return path;
}

function parseCall(name: string, args: string[], offset: number): Expr {
  const bad = (why: string): never => {
    throw new TemplateError(`bad generator ${name}(${args.join(', ')}): ${why}`, offset);
  };
  const count = (arg: string | undefined): Count => {
    if (arg !== undefined && /^\d+$/.test(arg)) return Number(arg);
    if (arg !== undefined && /^[A-Za-z_]/.test(arg)) return parseVar(arg, arg, offset);
    return bad('expected a whole number or a variable such as limits.maxTextChars + 1');
  };
  const signedDuration = (arg: string | undefined): number => {
    if (arg === undefined) return 0;
    const m = /^([+-]?)\s*(.+)$/.exec(arg);
    try {
      const ms = parseDuration((m?.[2] ?? '').trim());
      return m?.[1] === '-' ? -ms : ms;
    } catch {
      return bad('expected a duration such as -5m or +30s');
    }
  };
  switch (name) {
    case 'text': {
      if (args.length < 1 || args.length > 2) bad('expected text(n) or text(n, ascii|hangul|emoji|cjk)');
      const kind = args[1] ?? 'ascii';
      if (!isTextKind(kind)) bad(`unknown kind ${kind}: use ascii, hangul, emoji or cjk`);
      return { kind: 'text', count: count(args[0]), textKind: kind as TextKind };
    }
    case 'uid': {
      if (args.length > 1) bad('expected uid() or uid(prefix)');
      const prefix = unquote(args[0] ?? '');
      if (prefix && !IDENT.test(prefix)) bad('the prefix must be letters, digits, _ or -');
      return { kind: 'uid', prefix };
    }
    case 'now':
    case 'nowms':
      if (args.length > 1) bad('expected one duration at most');
      return { kind: 'now', offsetMs: signedDuration(args[0]), format: name === 'now' ? 'iso' : 'ms' };
    case 'bytes':
      if (args.length !== 1) bad('expected bytes(n)');
      return { kind: 'bytes', size: count(args[0]) };
    default:
      return bad(`unknown generator; known: ${GENERATORS}`);
  }
}

function unquote(s: string): string {
  return /^(['"]).*\1$/.test(s) ? s.slice(1, -1) : s;
}

/** Variables a template reads: the root name, where (path inside the value) and the offset in its string. */
export function templateVariables(
  template: Template,
  path: (string | number)[] = [],
  out: { name: string; source: string; path: (string | number)[]; offset: number }[] = [],
): { name: string; source: string; path: (string | number)[]; offset: number }[] {
  const add = (e: Expr): void => {
    if (e.kind === 'var') out.push({ name: String(e.path[0]), source: e.source, path, offset: e.offset });
    else if (e.kind === 'sum') {
      for (const t of e.terms) if (typeof t.value !== 'number') out.push({ name: String(t.value[0]), source: e.source, path, offset: e.offset });
    }
    else if (e.kind === 'text' && typeof e.count !== 'number') add(e.count);
    else if (e.kind === 'bytes' && typeof e.size !== 'number') add(e.size);
  };
  switch (template.t) {
    case 'lit':
      break;
    case 'expr':
      add(template.expr);
      break;
    case 'str':
      for (const p of template.parts) if (typeof p !== 'string') add(p);
      break;
    case 'obj':
      for (const [k, t] of template.entries) templateVariables(t, [...path, k], out);
      break;
    case 'arr':
      template.items.forEach((t, i) => templateVariables(t, [...path, i], out));
      break;
  }
  return out;
}

export class TemplateEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateEvalError';
  }
}

export function evaluate(template: Template, ctx: TemplateContext): unknown {
  switch (template.t) {
    case 'lit':
      return template.value;
    case 'expr':
      return evalExpr(template.expr, ctx);
    case 'str': {
      let out = '';
      for (const p of template.parts) {
        if (typeof p === 'string') out += p;
        else {
          const v = evalExpr(p, ctx);
          out += typeof v === 'string' ? v : JSON.stringify(v);
        }
      }
      return out;
    }
    case 'obj': {
      const out: Record<string, unknown> = {};
      for (const [k, t] of template.entries) out[k] = evaluate(t, ctx);
      return out;
    }
    case 'arr':
      return template.items.map((t) => evaluate(t, ctx));
  }
}

function evalExpr(expr: Expr, ctx: TemplateContext): unknown {
  switch (expr.kind) {
    case 'var':
      return readVar(expr.path, expr.source, ctx);
    case 'sum': {
      let total = 0;
      for (const term of expr.terms) {
        const value = typeof term.value === 'number' ? term.value : readVar(term.value, expr.source, ctx);
        if (typeof value !== 'number') throw new TemplateEvalError(`\${${expr.source}}: ${(term.value as VarPath).join('.')} is ${JSON.stringify(value)}, not a number`);
        total += term.sign * value * term.factor;
      }
      return Math.round(total);
    }
    case 'text':
      return generateText(countOf(expr.count, ctx), expr.textKind);
    case 'uid':
      return ctx.uid(expr.prefix);
    case 'now': {
      const t = ctx.now() + expr.offsetMs;
      return expr.format === 'iso' ? new Date(t).toISOString() : t;
    }
    case 'bytes':
      return new ByteFill(countOf(expr.size, ctx));
  }
}

function readVar(path: VarPath, source: string, ctx: TemplateContext): unknown {
  const [root, ...rest] = path;
  if (!ctx.has(String(root))) throw new TemplateEvalError(`\${${source}}: ${String(root)} has no value yet (is it captured by a later step?)`);
  let value = ctx.lookup(String(root));
  for (const key of rest) {
    if (value === null || typeof value !== 'object' || !(key in (value as object))) {
      throw new TemplateEvalError(`\${${source}}: no ${String(key)} in ${JSON.stringify(value)?.slice(0, 80)}`);
    }
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function countOf(count: Count, ctx: TemplateContext): number {
  if (typeof count === 'number') return count;
  const value = evalExpr(count, ctx);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new TemplateEvalError(`\${${count.source}}: expected a whole number, got ${JSON.stringify(value)}`);
  }
  return value;
}
