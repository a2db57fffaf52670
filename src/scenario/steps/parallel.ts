/** `parallel`: branches (a step, or a list of steps) run side by side; the first failure decides. */
import type { SourceRef, StepBase } from '../case-parts.js';
import { defineStep } from './types.js';

export interface ParallelStep {
  kind: 'parallel';
  branches: StepBase[][];
  source: SourceRef;
}

export const parallel = defineStep<ParallelStep>({
  kind: 'parallel',
  schema: {
    type: 'array',
    minItems: 1,
    items: {
      anyOf: [
        { $ref: '#/definitions/step' },
        { type: 'array', minItems: 1, items: { $ref: '#/definitions/step' } },
      ],
    },
  },
  parse(body, ctx, at, source) {
    return {
      kind: 'parallel',
      branches: (body as unknown[]).map((branch, b) =>
        Array.isArray(branch) ? ctx.steps(branch, [...at, b]) : [ctx.step(branch as Record<string, unknown>, [...at, b])],
      ),
      source,
    };
  },
  declares(body, visit, at) {
    (body as unknown[]).forEach((branch, b) => visit(Array.isArray(branch) ? branch : [branch], [...at, b]));
    return [];
  },
  async run(step, ctx) {
    const results = await Promise.allSettled(step.branches.map((branch) => ctx.runSteps(branch)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  },
});
