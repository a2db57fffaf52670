/** `check`: a value (typically a captured variable) must match a pattern, as `expect`'s `match` does. */
import type { SourceRef } from '../case-parts.js';
import { match } from '../match.js';
import type { Template } from '../template.js';
import { verdictSource } from '../schema-fragments.js';
import { defineStep } from './types.js';

export interface CheckStep {
  kind: 'check';
  value: Template;
  match: Template;
  source: SourceRef;
}

export const check = defineStep<CheckStep>({
  kind: 'check',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['value', 'match'],
    properties: { value: {}, match: {}, source: verdictSource },
  },
  parse(body, ctx, at, source) {
    const obj = (body ?? {}) as Record<string, unknown>;
    return { kind: 'check', value: ctx.compile(obj.value, [...at, 'value']), match: ctx.compile(obj.match, [...at, 'match']), source };
  },
  run(step, ctx) {
    const m = match(ctx.eval(step.match, step.source), ctx.eval(step.value, step.source));
    if (m) ctx.fail(step.source, { code: 'CC_CHECK_MISMATCH', message: `checked value: ${m.pointer || '/'} ${m.reason}`, evidence: { pointer: m.pointer, expected: m.expected, actual: m.actual } });
  },
});
