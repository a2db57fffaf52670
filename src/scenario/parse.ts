/**
 * YAML → scenario model. The text is parsed with `yaml` keeping node ranges, each document is
 * checked against the format's JSON Schema (ajv) and then against what the case means (known
 * clients, message names of the profile, templates, matchers). Every problem is a CcError with
 * file:line:column and a hint, exit 2.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { ccError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/types.js';
import type { RuleStrength } from '../report/model.js';
import { closest } from '../util/closest.js';
import { parseDuration } from '../util/duration.js';
import type { ClientDef, DocPath, Duration, HeartbeatMode, RunVariable, SourceRef, StepBase, TokenVariant, UnexpectedPolicy } from './case-parts.js';
import { BUILTIN_VARIABLES, RUN_VARIABLES, SEED_SOURCE } from './case-parts.js';
import type { ScenarioCase } from './model.js';
import { scenarioSchema } from './scenario.schema.js';
import { STEP_KINDS, stepModule, type Step } from './steps/index.js';
import type { ParseContext } from './steps/types.js';
import { compileTemplate, TemplateError, templateVariables, type Template } from './template.js';

const Ajv = AjvModule.default;

let validateCase: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  validateCase ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile(scenarioSchema);
  return validateCase;
}

export interface ParseOptions {
  /** Profile of cases that name none: a name or path, or a profile already loaded. */
  defaultProfile?: string | Profile;
  /** Resolves the profile a case names (default loadProfile); the case carries what it returns. */
  resolveProfile?: (name: string) => Profile;
  /** Default case deadline in ms (30 s). */
  defaultTimeout?: number;
}

/** Reads and parses one scenario file; errors and results name it `shownAs` (default: the path). */
export function loadScenarioFile(path: string, options: ParseOptions = {}, shownAs = path): ScenarioCase[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw ccError('CC_ERR_FILE_NOT_FOUND', { path: shownAs, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
  }
  return parseScenarios(text, shownAs, options);
}

type Path = DocPath;

/** Parses YAML text holding one case per document (`---` separates them). */
export function parseScenarios(text: string, file: string, options: ParseOptions = {}): ScenarioCase[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const cases: ScenarioCase[] = [];
  for (const doc of docs) {
    const problem = doc.errors[0];
    if (problem) {
      const pos = lineCounter.linePos(problem.pos[0]);
      throw ccError('CC_ERR_SCENARIO_YAML', { path: file, line: pos.line, column: pos.col, reason: problem.message.split('\n')[0] });
    }
    if (doc.contents === null) continue;
    cases.push(new CaseBuilder(doc, file, lineCounter, options).build());
  }
  const seen = new Map<string, number>();
  for (const c of cases) {
    const first = seen.get(c.id);
    if (first !== undefined) {
      throw ccError('CC_ERR_SCENARIO_INVALID', { path: file, line: c.line, column: 1, reason: `duplicate case id ${c.id} (first at line ${first})`, hint: 'give every case its own id' });
    }
    seen.set(c.id, c.line);
  }
  return cases;
}

interface RawClient {
  user_id: string | number;
  nickname?: string;
  claims?: Record<string, unknown>;
  token?: TokenVariant;
  heartbeat?: HeartbeatMode;
}

/** Builds one case from a document, with positions for every error. */
class CaseBuilder implements ParseContext {
  private readonly raw: Record<string, unknown>;
  profile!: Profile;
  private clientNames = new Set<string>();
  /** Always defined: the target URL and the profile's effective limits and timers. */
  private knownVariables = new Set<string>(BUILTIN_VARIABLES);
  /** Run variables the case declares under `requires:`; using another one is a load error. */
  private requires: RunVariable[] = [];
  /** The case's decisions, which every source its steps name joins. */
  private citedBy: string[] = [];

  constructor(
    private readonly doc: Document,
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly options: ParseOptions,
  ) {
    this.raw = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  }

  build(): ScenarioCase {
    if (this.raw === null || typeof this.raw !== 'object' || Array.isArray(this.raw)) {
      this.fail([], 'a scenario case must be a mapping with id, title and steps', 'see docs/scenarios.md for the format');
    }
    const validate = schemaValidator();
    if (!validate(this.raw)) this.schemaError(validate.errors ?? []);
    const raw = this.raw;
    if (raw.steps === undefined && raw.load === undefined) this.fail([], 'the case needs steps', 'add steps: (or a load: section for a load case, see docs/load.md)');
    this.requires = (raw.requires as RunVariable[] | undefined) ?? [];

    const fallback = this.options.defaultProfile;
    const profileName = (raw.profile as string | undefined) ?? (typeof fallback === 'object' ? fallback.name : fallback);
    if (!profileName) this.fail([], 'the case names no profile', 'add `profile: assa` (or envelope, openirc)');
    try {
      this.profile = raw.profile === undefined && typeof fallback === 'object' ? fallback : (this.options.resolveProfile ?? loadProfile)(profileName);
    } catch (err) {
      const where: Path = raw.profile === undefined ? [] : ['profile'];
      this.fail(where, (err as Error).message, 'known profiles: assa, envelope, openirc; or the path of an AsyncAPI 3.0 document');
    }

    const clients = new Map<string, ClientDef>();
    for (const [name, value] of Object.entries((raw.clients ?? {}) as Record<string, RawClient>)) {
      this.clientNames.add(name);
      this.knownVariables.add(name);
      clients.set(name, {
        name,
        userId: value.user_id,
        nickname: value.nickname ?? name,
        claims: { t: 'lit', value: {} },
        token: value.token ?? 'valid',
        heartbeat: value.heartbeat ?? 'auto',
        source: this.ref(['clients', name], `clients.${name}`),
      });
    }

    const variables: Record<string, Template> = {};
    for (const [name, value] of Object.entries((raw.variables ?? {}) as Record<string, unknown>)) {
      variables[name] = this.compile(value, ['variables', name]);
      this.knownVariables.add(name);
    }
    this.collectDeclaredNames((raw.setup ?? []) as unknown[], ['setup']);
    this.collectDeclaredNames((raw.steps ?? []) as unknown[], ['steps']);
    for (const [name, t] of Object.entries(variables)) this.checkVariables(t, ['variables', name]);
    for (const [name, value] of Object.entries((raw.clients ?? {}) as Record<string, RawClient>)) {
      if (value.claims) (clients.get(name) as ClientDef).claims = this.compile(value.claims, ['clients', name, 'claims']);
    }

    const decisions = [...((raw.decisions as string[] | undefined) ?? [])];
    const source = raw.source === undefined ? SEED_SOURCE : this.verdictSource(raw.source, ['source'], decisions);
    this.citedBy = decisions;
    const setup = this.steps((raw.setup ?? []) as unknown[], ['setup']);
    const steps = this.steps((raw.steps ?? []) as unknown[], ['steps']);
    const spec = raw.spec;
    const timeout = raw.timeout === undefined ? (this.options.defaultTimeout ?? 30_000) : parseDuration(raw.timeout as string | number);
    return {
      id: raw.id as string,
      title: raw.title as string,
      ...(raw.description === undefined ? {} : { description: raw.description as string }),
      profile: profileName,
      profileDef: this.profile,
      specSections: spec === undefined ? [] : Array.isArray(spec) ? (spec as string[]) : [spec as string],
      strength: (raw.strength as RuleStrength | undefined) ?? 'MUST',
      tags: (raw.tags as string[] | undefined) ?? [],
      decisions,
      source,
      requires: this.requires,
      ...(raw.transports === undefined ? {} : { transports: raw.transports as string[] }),
      timeout,
      ...(raw.within === undefined ? {} : { within: parseDuration(raw.within as string | number) }),
      unexpected: (raw.unexpected as UnexpectedPolicy | undefined) ?? 'record',
      variables,
      clients,
      setup,
      steps,
      ...(raw.load === undefined ? {} : { load: raw.load as Record<string, unknown> }),
      file: this.file,
      line: this.position([]).line,
    };
  }

  /** Capture names and loop variables count as known anywhere in the case (steps may be reordered by parallel groups). */
  private collectDeclaredNames(steps: unknown[], path: Path): void {
    steps.forEach((step, i) => {
      const [kind, body] = Object.entries(step as Record<string, unknown>)[0] as [string, unknown];
      const names = stepModule(kind)?.declares?.(body, (inner, at) => this.collectDeclaredNames(inner, at), [...path, i, kind]) ?? [];
      for (const name of names) this.knownVariables.add(name);
    });
  }

  steps(list: unknown[], path: Path): Step[] {
    return list.map((step, i) => this.step(step as Record<string, unknown>, [...path, i]));
  }

  step(step: Record<string, unknown>, path: Path): Step {
    const [kind, body] = Object.entries(step)[0] as [string, unknown];
    const at = [...path, kind];
    const module = stepModule(kind);
    if (!module) return this.fail(at, `unknown step ${kind}`, `steps are ${STEP_KINDS.join(', ')}`);
    const ref = this.ref(at, `${renderPath(path)}.${kind}`);
    // Only the checking steps' schemas allow `source:`.
    const named = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).source : undefined;
    if (named !== undefined) ref.verdictSource = this.verdictSource(named, [...at, 'source'], this.citedBy);
    return module.parse(body, this, at, ref);
  }

  /** `seed` or a decision of the case's profile, which joins the case's decisions. */
  private verdictSource(value: unknown, at: Path, decisions: string[]): string {
    const id = String(value);
    if (id === SEED_SOURCE) return id;
    const known = this.profile.decisions.map((d) => d.id);
    if (!known.includes(id)) {
      const near = closest(id, known);
      this.fail(at, `source ${id} is neither seed nor a decision of profile ${this.profile.name}`, near ? `did you mean ${near}? (docs/decisions.md)` : `use seed, or a decision id of the profile (docs/decisions.md lists them)`);
    }
    if (!decisions.includes(id)) decisions.push(id);
    return id;
  }

  duration(value: unknown, at: Path): Duration {
    if (typeof value === 'string' && value.includes('${')) return this.compile(value, at);
    return parseDuration(value as string | number);
  }

  targets(spec: Record<string, unknown>, at: Path): string[] {
    if (spec.client !== undefined && spec.clients !== undefined) this.fail(at, 'give client or clients, not both', 'client: alice, or clients: [alice, bob]');
    if (spec.client !== undefined) return [this.client(spec.client as string, [...at, 'client'])];
    if (spec.clients !== undefined) {
      const list = typeof spec.clients === 'string' ? [spec.clients] : (spec.clients as string[]);
      const key: Path = typeof spec.clients === 'string' || Array.isArray(spec.clients) ? [...at, 'clients'] : at;
      return list.map((c, i) => this.client(c, typeof spec.clients === 'string' ? at : [...key, i]));
    }
    if (this.clientNames.size === 1) return [...this.clientNames];
    return this.fail(at, 'the step names no client', `add client: <name> (clients of this case: ${[...this.clientNames].join(', ') || 'none'})`);
  }

  client(name: string, at: Path): string {
    if (!this.clientNames.has(name)) {
      const known = [...this.clientNames];
      const near = closest(name, known);
      this.fail(at, `unknown client ${name}`, near ? `did you mean ${near}? (clients: ${known.join(', ')})` : `declare it under clients: (clients: ${known.join(', ') || 'none'})`);
    }
    return name;
  }

  messageNames(value: unknown, at: Path): string[] {
    if (value === undefined) return [];
    const names = Array.isArray(value) ? (value as string[]) : [value as string];
    names.forEach((n, i) => this.checkMessage(n, 'server', Array.isArray(value) ? [...at, i] : at));
    return names;
  }

  checkMessage(name: string, direction: 'client' | 'server', at: Path): void {
    const profile = this.profile;
    if (profile.messages.some((m) => m.name === name && m.direction === direction)) return;
    const known = [...new Set(profile.messages.filter((m) => m.direction === direction).map((m) => m.name))];
    const near = closest(name, known);
    const other = profile.messages.some((m) => m.name === name) ? ` (${name} is sent by the ${direction === 'client' ? 'server' : 'client'})` : '';
    this.fail(at, `profile ${profile.name} has no ${direction} message named ${name}${other}`, near ? `did you mean ${near}?` : `run \`chat-conform profiles --messages ${profile.name}\` to list them`);
  }

  compile(value: unknown, at: Path): Template {
    const template = compileTemplate(value, (err: TemplateError, inner) => this.fail([...at, ...inner], err.message, 'templates are ${name}, ${name.field} or a generator; see docs/scenarios.md', err.offset));
    this.checkVariables(template, at);
    return template;
  }

  private checkVariables(template: Template, at: Path): void {
    for (const v of templateVariables(template)) {
      if (v.name in RUN_VARIABLES && !this.requires.includes(v.name as RunVariable)) {
        // Without the declaration a run lacking the value would ERROR mid-case instead of saying "not checked".
        this.fail([...at, ...v.path], `\${${v.source}} needs \`requires: [${v.name}]\` on the case`, `add requires: [${v.name}] so that a run without ${RUN_VARIABLES[v.name as RunVariable].flag.split(' ')[0]} reports the case as not checked`, v.offset);
      }
      if (!this.knownVariables.has(v.name)) {
        const near = closest(v.name, [...this.knownVariables]);
        this.fail([...at, ...v.path], `unknown variable ${v.name} in \${${v.source}}`, near ? `did you mean ${near}?` : 'define it under variables:, capture it in an expect, or name a client', v.offset);
      }
    }
  }

  private schemaError(errors: ErrorObject[]): never {
    const best = pickError(errors);
    const path = pointerToPath(best.instancePath);
    const where = path.length === 0 ? 'the case' : renderPath(path);
    switch (best.keyword) {
      case 'additionalProperties': {
        const extra = (best.params as { additionalProperty: string }).additionalProperty;
        const parent = path;
        const isStep = parent.length >= 2 && typeof parent[parent.length - 1] === 'number';
        const allowed = Object.keys(propertiesAt(best.parentSchema) ?? {});
        const near = closest(extra, allowed);
        return this.fail([...parent, extra], `${isStep ? 'unknown step' : 'unknown field'} ${extra} in ${where}`, near ? `did you mean ${near}? allowed: ${allowed.join(', ')}` : `allowed: ${allowed.join(', ')}`, 0, true);
      }
      case 'required': {
        const missing = (best.params as { missingProperty: string }).missingProperty;
        return this.fail(path, `${where} needs ${missing}`, `add ${missing}:`);
      }
      case 'enum':
        return this.fail(path, `${where} must be one of ${(best.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`, 'check the spelling');
      case 'maxProperties':
      case 'minProperties':
        return this.fail(path, `a step has exactly one kind; ${where} has ${Object.keys(valueAt(this.raw, path) as object).length}`, `indent the options under the step kind: ${STEP_KINDS.join(', ')}`);
      case 'pattern':
        if (best.instancePath.includes('/propertyName')) break;
        return this.fail(path, `${where} ${best.message ?? 'is invalid'}`, hintFor(path));
      default:
        break;
    }
    return this.fail(path, `${where} ${best.message ?? 'is invalid'}`, hintFor(path));
  }

  private ref(path: Path, rendered: string): SourceRef {
    const pos = this.position(path);
    return { path: rendered, line: pos.line, column: pos.column };
  }

  /** Line and column of the node at `path` (the nearest existing ancestor when it is missing). */
  private position(path: Path, keyOf = false): { line: number; column: number } {
    let node: unknown = this.doc.contents;
    let found: Node | undefined = (node as Node | null) ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const key = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
        if (!pair) break;
        const last = i === path.length - 1;
        if (last && keyOf && isScalar(pair.key)) {
          found = pair.key;
          break;
        }
        node = pair.value;
        if (node) found = node as Node;
        else if (isScalar(pair.key)) found = pair.key;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        if (!node) break;
        found = node as Node;
      } else break;
    }
    const offset = found?.range?.[0] ?? 0;
    const pos = this.lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  fail(path: Path, reason: string, hint: string, innerOffset = 0, keyOf = false): never {
    const pos = this.position(path, keyOf);
    let column = pos.column;
    if (innerOffset > 0) {
      // Point inside a quoted or plain scalar at the template's problem.
      const node = this.doc.getIn(path, true);
      const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
      column += innerOffset + (quoted ? 1 : 0);
    }
    throw ccError('CC_ERR_SCENARIO_INVALID', { path: this.file, line: pos.line, column, reason, hint });
  }
}

/** The most useful of ajv's errors: the deepest, preferring precise keywords over anyOf noise. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const rank = (e: ErrorObject): number => {
    const depth = e.instancePath.split('/').length * 10;
    const precise = ['additionalProperties', 'required', 'enum', 'maxProperties', 'minProperties'].includes(e.keyword) ? 5 : 0;
    const vague = e.keyword === 'anyOf' || e.keyword === 'oneOf' ? -8 : 0;
    return depth + precise + vague;
  };
  return [...errors].sort((a, b) => rank(b) - rank(a))[0] as ErrorObject;
}

function propertiesAt(schema: unknown): Record<string, unknown> | undefined {
  return (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
}

function pointerToPath(pointer: string): Path {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v;
}

export function renderPath(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function hintFor(path: Path): string {
  const last = path[path.length - 1];
  if (last === 'within' || last === 'timeout' || last === 'for' || last === 'wait') return 'durations are milliseconds or a number with a unit: 300ms, 2s, 1m';
  if (last === 'client' || last === 'clients' || path.includes('none_for')) return 'client names are letters, digits, _ and -';
  return 'see docs/scenarios.md for the format';
}
