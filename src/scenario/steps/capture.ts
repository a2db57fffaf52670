/** `capture`: sets variables from templates evaluated now (`room: "${created.id}"`). */
import type { SourceRef } from '../case-parts.js';
import { clientName } from '../schema-fragments.js';
import type { Template } from '../template.js';
import { defineStep } from './types.js';

export interface CaptureStep {
  kind: 'capture';
  /** Variable name → template evaluated now. */
  values: Record<string, Template>;
  source: SourceRef;
}

export const capture = defineStep<CaptureStep>({
  kind: 'capture',
  schema: { type: 'object', minProperties: 1, propertyNames: clientName },
  parse(body, ctx, at, source) {
    const values: Record<string, Template> = {};
    for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) values[name] = ctx.compile(value, [...at, name]);
    return { kind: 'capture', values, source };
  },
  declares(body) {
    return Object.keys((body ?? {}) as Record<string, unknown>);
  },
  run(step, ctx) {
    for (const [name, template] of Object.entries(step.values)) ctx.setVar(name, ctx.eval(template, step.source));
  },
});
