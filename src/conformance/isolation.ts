/**
 * What a case holds on the server that a case running beside it could disturb (docs/scenarios.md,
 * "Isolation"): the user ids of its clients and crowds, and the literal values it sends in the
 * profile's room-like fields (`x-chat-conform.isolation.fields`). Two cases whose footprints
 * overlap never run at the same time (./schedule.ts). A value made with `${uid()}` is unique to
 * the case, so it is no part of the footprint.
 */
import type { Profile } from '../profile/types.js';
import type { StepBase } from '../scenario/case-parts.js';
import type { ScenarioCase, Step } from '../scenario/model.js';
import { evaluate, type Template } from '../scenario/template.js';

export interface CaseFootprint {
  /** User ids as text (`7101` and `"7101"` are one user). */
  users: Set<string>;
  /** Inclusive ranges of numeric user ids, a crowd's; the end is Infinity when its size is unknown before the run. */
  ranges: [number, number][];
  /** `<field>=<value>` of the room-like fields the case sends with a literal value. */
  names: Set<string>;
}

/** The footprint of a case against the profile it runs with (limits and timers after overrides: a crowd's size may read them). */
export function footprintOf(scenario: ScenarioCase, profile: Profile): CaseFootprint {
  const footprint: CaseFootprint = { users: new Set([...scenario.clients.values()].map((c) => String(c.userId))), ranges: [], names: new Set() };
  const fields = profile.isolation?.fields ?? [];
  const visit = (step: StepBase): void => {
    const s = step as Step;
    if (s.kind === 'crowd') {
      const count = typeof s.count === 'number' ? s.count : countOf(s.count, profile);
      footprint.ranges.push([s.userIdFrom, s.userIdFrom + count - 1]);
    }
    if (s.kind === 'send') {
      for (const field of fields) {
        const value = literalAt(s.fields, field.split('.'), scenario) ?? (field.startsWith('data.') ? literalAt(s.data, field.split('.').slice(1), scenario) : undefined);
        if (value !== undefined) footprint.names.add(`${field}=${value}`);
      }
    }
    for (const child of childSteps(step)) visit(child);
  };
  for (const step of [...scenario.setup, ...scenario.steps]) visit(step);
  return footprint;
}

export function overlaps(a: CaseFootprint, b: CaseFootprint): boolean {
  for (const user of a.users) if (b.users.has(user) || inRanges(user, b.ranges)) return true;
  for (const user of b.users) if (inRanges(user, a.ranges)) return true;
  for (const [from, to] of a.ranges) if (b.ranges.some(([f, t]) => from <= t && f <= to)) return true;
  for (const name of a.names) if (b.names.has(name)) return true;
  return false;
}

function inRanges(user: string, ranges: readonly [number, number][]): boolean {
  if (!/^\d+$/.test(user)) return false;
  const id = Number(user);
  return ranges.some(([from, to]) => id >= from && id <= to);
}

/** A crowd's size read from the profile's limits and timers; unknown (Infinity) when it needs more. */
function countOf(template: Template, profile: Profile): number {
  const known: Record<string, unknown> = { limits: profile.limits, timers: profile.timers };
  try {
    const value = evaluate(template, { lookup: (name) => known[name], has: (name) => name in known, uid: () => '', now: () => 0 });
    return typeof value === 'number' && Number.isFinite(value) ? value : Infinity;
  } catch {
    return Infinity;
  }
}

/** Steps a step holds (repeat's, parallel's branches), whatever their field is called. */
function childSteps(step: StepBase): StepBase[] {
  const out: StepBase[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object' && typeof (value as StepBase).kind === 'string' && 'source' in value) out.push(value as StepBase);
  };
  for (const [key, value] of Object.entries(step)) if (key !== 'source' && Array.isArray(value)) collect(value);
  return out;
}

/** The literal text or number at `path` of a template tree: written as is, or a variable that holds one. */
function literalAt(template: Template | undefined, path: string[], scenario: ScenarioCase): string | undefined {
  let t = template;
  for (const key of path) {
    if (t === undefined) return undefined;
    if (t.t === 'lit') {
      const value = (t.value as Record<string, unknown> | null)?.[key];
      t = value === undefined ? undefined : { t: 'lit', value };
    } else if (t.t === 'obj') t = t.entries.find(([k]) => k === key)?.[1];
    else return undefined;
  }
  if (t?.t === 'expr' && t.expr.kind === 'var' && t.expr.path.length === 1) t = scenario.variables[String(t.expr.path[0])];
  if (t?.t === 'lit' && (typeof t.value === 'string' || typeof t.value === 'number')) return String(t.value);
  return undefined;
}
