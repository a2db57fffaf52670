/** `repeat`: runs its steps `times` times, with the 0-based index in the variable named by `as`. */
import type { SourceRef, StepBase } from '../case-parts.js';
import { clientName } from '../schema-fragments.js';
import { defineStep } from './types.js';

export interface RepeatStep {
  kind: 'repeat';
  times: number;
  /** Loop variable holding the 0-based index. */
  as?: string;
  steps: StepBase[];
  source: SourceRef;
}

export const repeat = defineStep<RepeatStep>({
  kind: 'repeat',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['times', 'steps'],
    properties: {
      times: { type: 'integer', minimum: 0 },
      as: clientName,
      steps: { type: 'array', minItems: 1, items: { $ref: '#/definitions/step' } },
    },
  },
  parse(body, ctx, at, source) {
    const obj = (body ?? {}) as Record<string, unknown>;
    return {
      kind: 'repeat',
      times: obj.times as number,
      ...(obj.as === undefined ? {} : { as: obj.as as string }),
      steps: ctx.steps(obj.steps as unknown[], [...at, 'steps']),
      source,
    };
  },
  declares(body, visit, at) {
    const obj = body as { as?: unknown; steps: unknown[] };
    visit(obj.steps, [...at, 'steps']);
    return typeof obj.as === 'string' ? [obj.as] : [];
  },
  async run(step, ctx) {
    for (let i = 0; i < step.times; i++) {
      if (step.as) ctx.setVar(step.as, i);
      await ctx.runSteps(step.steps);
    }
  },
});
