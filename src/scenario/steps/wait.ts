/** `wait`: a pause of a fixed duration, or of a template such as `${timers.pingInterval}`. */
import type { Duration, SourceRef } from '../case-parts.js';
import { duration } from '../schema-fragments.js';
import { defineStep } from './types.js';

export interface WaitStep {
  kind: 'wait';
  ms: Duration;
  source: SourceRef;
}

export const wait = defineStep<WaitStep>({
  kind: 'wait',
  schema: duration,
  parse(body, ctx, at, source) {
    return { kind: 'wait', ms: ctx.duration(body, at), source };
  },
  run(step, ctx) {
    return ctx.sleep(ctx.ms(step.ms, step.source) ?? 0);
  },
});
