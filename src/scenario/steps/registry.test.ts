/**
 * The step registry is the one list of step kinds: the format's schema, the parser and the runner
 * all take them from it, so none of them can know a kind the others do not.
 */
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../scenario.schema.js';
import { parseScenarios } from '../parse.js';
import { STEP_KINDS, STEPS } from './index.js';

describe('the step registry', () => {
  it('gives the format exactly its kinds, each with its module\'s schema', () => {
    const properties = scenarioSchema.definitions.step.properties as Record<string, unknown>;
    expect(Object.keys(properties)).toEqual([...STEP_KINDS]);
    for (const kind of STEP_KINDS) expect(properties[kind]).toBe(STEPS[kind].schema);
    expect(STEP_KINDS).toEqual(['connect', 'send', 'expect', 'expect_none', 'expect_close', 'close', 'wait', 'capture', 'check', 'crowd', 'http', 'repeat', 'parallel']);
  });

  it('holds for every kind a module that parses and runs it', () => {
    for (const kind of STEP_KINDS) {
      const module = STEPS[kind];
      expect(module.kind).toBe(kind);
      expect(typeof module.parse).toBe('function');
      expect(typeof module.run).toBe('function');
    }
  });

  it('parses each kind into a step of that kind, nested steps included', () => {
    const [c] = parseScenarios(`id: t
title: every step
profile: assa
clients: { a: { user_id: 1 }, b: { user_id: 2 } }
steps:
  - connect: [a, b]
  - send: { client: a, message: SEND_MESSAGE, data: { room_id: 1, content: hi, message_type: text } }
  - expect: { client: a, reply: true, capture: { id: data.message_id } }
  - expect_none: { client: b, for: 10ms }
  - capture: { twice: "\${id}" }
  - check: { value: "\${twice}", match: { $type: integer } }
  - wait: 5ms
  - http: { url: "http://127.0.0.1:1/x", status: 200 }
  - crowd: { count: 2 }
  - repeat: { times: 2, as: i, steps: [ { wait: 1 } ] }
  - parallel: [ { close: a }, [ { expect_close: b } ] ]
`, 't.yaml');
    expect(c?.steps.map((s) => s.kind)).toEqual(['connect', 'send', 'expect', 'expect_none', 'capture', 'check', 'wait', 'http', 'crowd', 'repeat', 'parallel']);
    const repeat = c?.steps[9];
    expect(repeat?.kind === 'repeat' && repeat.steps.map((s) => [s.kind, s.source.path])).toEqual([['wait', 'steps[9].repeat.steps[0].wait']]);
    const parallel = c?.steps[10];
    expect(parallel?.kind === 'parallel' && parallel.branches.map((b) => b.map((s) => s.kind))).toEqual([['close'], ['expect_close']]);
  });
});
