import { describe, expect, it } from 'vitest';
import { isCcError, type CcError } from '../errors.js';
import type { Profile } from '../profile/types.js';
import { parseScenarios } from './parse.js';

const profile = {
  name: 'assa',
  messages: [
    { id: 'client.CONNECT', name: 'CONNECT', direction: 'client' },
    { id: 'client.SEND_MESSAGE', name: 'SEND_MESSAGE', direction: 'client' },
    { id: 'server.NEW_MESSAGE', name: 'NEW_MESSAGE', direction: 'server' },
    { id: 'server.SEND_MESSAGE_RESPONSE', name: 'SEND_MESSAGE_RESPONSE', direction: 'server' },
  ],
  decisions: [
    { id: 'assa.D5.close-codes', class: 'choice', text: 'close with 4408', reason: 'the seed names no close code' },
    { id: 'assa.D12.closed-rooms', class: 'reading', text: 'a closed room needs an invitation', reason: 'the seed shows is_open' },
  ],
} as unknown as Profile;

const options = { resolveProfile: (name: string) => {
  if (name !== 'assa') throw new Error(`unknown profile ${name}`);
  return profile;
} };

function error(text: string): CcError {
  try {
    parseScenarios(text, 'cases/x.yaml', options);
  } catch (err) {
    if (isCcError(err)) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

const good = `id: assa.send
title: Sending a message
profile: assa
spec: "§5.1"
strength: SHOULD
tags: [room]
clients:
  alice: { user_id: 1, nickname: Alice }
  bob: { user_id: 2 }
variables:
  greeting: "hi \${uid()}"
steps:
  - connect: [alice, bob]
  - send: { client: alice, message: SEND_MESSAGE, data: { room_id: "\${room}", content: "\${greeting}" } }
  - expect:
      client: alice
      reply: true
      match: { success: true }
      capture: { room: data.room_id }
      within: 2s
  - expect: { clients: [bob], message: NEW_MESSAGE }
  - repeat:
      times: 2
      as: i
      steps:
        - wait: 10ms
  - parallel:
      - expect_none: { client: bob, for: 100ms }
      - [ { wait: 5 }, { close: alice } ]
`;

describe('parsing scenarios', () => {
  it('builds the model with step paths and lines', () => {
    const [c] = parseScenarios(good, 'x.yaml', options);
    expect(c?.id).toBe('assa.send');
    expect(c?.specSections).toEqual(['§5.1']);
    expect(c?.strength).toBe('SHOULD');
    expect(c?.clients.get('bob')?.nickname).toBe('bob');
    expect(c?.steps.map((s) => s.kind)).toEqual(['connect', 'send', 'expect', 'expect', 'repeat', 'parallel']);
    expect(c?.steps[2]?.source).toEqual({ path: 'steps[2].expect', line: 16, column: 7 });
    const expectStep = c?.steps[2];
    expect(expectStep?.kind === 'expect' && expectStep.within).toBe(2000);
    const parallel = c?.steps[5];
    expect(parallel?.kind === 'parallel' && parallel.branches.map((b) => b.map((s) => s.kind))).toEqual([['expect_none'], ['wait', 'close']]);
  });

  it('carries the profile it resolved: the one the case names, else the default it was given', () => {
    const [named] = parseScenarios(good, 'x.yaml', options);
    expect(named?.profile).toBe('assa');
    expect(named?.profileDef).toBe(profile);
    const other = { ...profile, name: 'mine' } as Profile;
    const [defaulted] = parseScenarios(good.replace(/^profile: assa\n/m, ''), 'x.yaml', { defaultProfile: other });
    expect(defaulted?.profile).toBe('mine');
    expect(defaulted?.profileDef).toBe(other);
  });

  it('reads several cases from one file, separated by ---', () => {
    const cases = parseScenarios(`${good}---\n${good.replace('id: assa.send', 'id: assa.send2')}`, 'x.yaml', options);
    expect(cases.map((c) => [c.id, c.line])).toEqual([['assa.send', 1], ['assa.send2', good.split('\n').length + 1]]);
  });

  it('reports YAML syntax errors at file:line:column', () => {
    const err = error('id: a\ntitle: [unclosed\nsteps: []\n');
    expect(err.code).toBe('CC_ERR_SCENARIO_YAML');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^cases\/x\.yaml:3:\d+: invalid YAML: /);
  });

  it('reports an unknown step kind at its key with a suggestion', () => {
    const err = error(good.replace('  - send: { client: alice', '  - sned: { client: alice'));
    expect(err.code).toBe('CC_ERR_SCENARIO_INVALID');
    expect(err.message).toBe('cases/x.yaml:14:5: unknown step sned in steps[1]');
    expect(err.hint).toMatch(/^did you mean send\?/);
  });

  it('reports a missing required field', () => {
    const err = error('id: a\nsteps:\n  - wait: 1s\n');
    expect(err.message).toBe('cases/x.yaml:1:1: the case needs title');
  });

  it('reports a bad enum value at the value', () => {
    const err = error(good.replace('strength: SHOULD', 'strength: MUSTNT'));
    expect(err.message).toBe('cases/x.yaml:5:11: strength must be one of MUST, SHOULD, MAY, UNSPECIFIED');
  });

  it('reports a bad duration with a hint', () => {
    const err = error(good.replace('within: 2s', 'within: soon'));
    expect(err.message).toMatch(/^cases\/x\.yaml:20:15: steps\[2\]\.expect\.within /);
    expect(err.hint).toBe('durations are milliseconds or a number with a unit: 300ms, 2s, 1m');
  });

  it('reports an unknown client with a suggestion', () => {
    const err = error(good.replace('clients: [bob], message', 'clients: [bobb], message'));
    expect(err.message).toBe('cases/x.yaml:21:25: unknown client bobb');
    expect(err.hint).toBe('did you mean bob? (clients: alice, bob)');
  });

  it('reports an unknown message name, and one sent the wrong way', () => {
    const err = error(good.replace('message: NEW_MESSAGE', 'message: NEW_MESAGE'));
    expect(err.message).toBe('cases/x.yaml:21:40: profile assa has no server message named NEW_MESAGE');
    expect(err.hint).toBe('did you mean NEW_MESSAGE?');
    const wrongWay = error(good.replace('message: SEND_MESSAGE,', 'message: NEW_MESSAGE,'));
    expect(wrongWay.message).toBe('cases/x.yaml:14:37: profile assa has no client message named NEW_MESSAGE (NEW_MESSAGE is sent by the server)');
  });

  it('reports a bad template at its column inside the string', () => {
    const err = error(good.replace('"hi ${uid()}"', '"hi ${text(5, klingon)}"'));
    expect(err.message).toBe('cases/x.yaml:11:19: bad generator text(5, klingon): unknown kind klingon: use ascii, hangul, emoji or cjk');
  });

  it('reports a template naming an unknown variable', () => {
    const err = error(good.replace('content: "${greeting}"', 'content: "${greting}"'));
    expect(err.message).toBe('cases/x.yaml:14:91: unknown variable greting in ${greting}');
    expect(err.hint).toBe('did you mean greeting?');
  });

  it('reports an unknown matcher operator', () => {
    const err = error(good.replace('match: { success: true }', 'match: { success: { $eqq: true } }'));
    expect(err.message).toMatch(/^cases\/x\.yaml:18:\d+: unknown operator \$eqq/);
  });

  it('reports an unknown profile', () => {
    const err = error(good.replace('profile: assa', 'profile: nope'));
    expect(err.message).toBe('cases/x.yaml:3:10: unknown profile nope');
  });

  it('reports a duplicate case id', () => {
    const err = error(`${good}---\n${good}`);
    expect(err.message).toBe(`cases/x.yaml:${good.split('\n').length + 1}:1: duplicate case id assa.send (first at line 1)`);
  });
});

const sourced = `id: assa.closed
title: a closed room needs an invitation
profile: assa
decisions: [assa.D5.close-codes]
source: assa.D12.closed-rooms
clients:
  alice: { user_id: 1 }
setup:
  - connect: alice
  - send: { client: alice, message: SEND_MESSAGE, data: { content: x } }
  - expect: { client: alice, reply: true, capture: { room: data.room_id, took: $elapsed } }
steps:
  - expect: { client: alice, message: NEW_MESSAGE, source: seed }
  - expect_close: { client: alice, within: "\${timers.pingInterval + timers.pongTimeout}", capture: { code: code, why: reason, after: elapsed }, source: assa.D5.close-codes }
  - check: { value: "\${after}", match: { $lte: "\${timers.pongTimeout * 1.1 + 250ms}" } }
  - check: { value: "\${code}", match: { $in: [4408, null] }, source: assa.D12.closed-rooms }
`;

describe('parsing verdict sources, setup and close captures', () => {
  it('keeps the case source, each step source, and cites every source decision once', () => {
    const [c] = parseScenarios(sourced, 'x.yaml', options);
    expect(c?.source).toBe('assa.D12.closed-rooms');
    expect(c?.decisions).toEqual(['assa.D5.close-codes', 'assa.D12.closed-rooms']);
    expect(c?.setup.map((s) => s.source)).toEqual([
      { path: 'setup[0].connect', line: 9, column: 14 },
      { path: 'setup[1].send', line: 10, column: 11 },
      { path: 'setup[2].expect', line: 11, column: 13 },
    ]);
    expect(c?.steps.map((s) => s.source.verdictSource)).toEqual(['seed', 'assa.D5.close-codes', undefined, 'assa.D12.closed-rooms']);
    const close = c?.steps[1];
    expect(close?.kind === 'expect_close' && close.capture).toEqual({ code: 'code', why: 'reason', after: 'elapsed' });
  });

  it('defaults the case source to seed', () => {
    const [c] = parseScenarios(good, 'x.yaml', options);
    expect(c?.source).toBe('seed');
    expect(c?.decisions).toEqual([]);
    expect(c?.setup).toEqual([]);
  });

  it('reports a source that is not a decision of the profile at its value, with the nearest', () => {
    const err = error(sourced.replace('source: assa.D12.closed-rooms\n', 'source: assa.D12.closed-room\n'));
    expect(err.message).toBe('cases/x.yaml:5:9: source assa.D12.closed-room is neither seed nor a decision of profile assa');
    expect(err.hint).toBe('did you mean assa.D12.closed-rooms? (docs/decisions.md)');
    const inStep = error(sourced.replace('source: assa.D5.close-codes }', 'source: assa.D99.nothing }'));
    expect(inStep.message).toBe('cases/x.yaml:14:153: source assa.D99.nothing is neither seed nor a decision of profile assa');
    expect(inStep.hint).toBe('use seed, or a decision id of the profile (docs/decisions.md lists them)');
  });

  it('accepts source only on checking steps', () => {
    const err = error(sourced.replace('data: { content: x } }', 'data: { content: x }, source: seed }'));
    expect(err.message).toBe('cases/x.yaml:10:73: unknown field source in setup[1].send');
  });

  it('captures only code, reason and elapsed from a close', () => {
    const err = error(sourced.replace('after: elapsed', 'after: when'));
    expect(err.message).toMatch(/^cases\/x\.yaml:14:\d+: steps\[1\]\.expect_close\.capture\.after must be one of code, reason, elapsed$/);
  });
});
