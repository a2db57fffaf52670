import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCcError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
import { parseScenarios } from '../scenario/parse.js';
import { applyOverrides, parseLoadSection, regularClients, silentSlice, sliceClients, type LoadPlan } from './plan.js';
import { readLoadScenario } from './scenario.js';
import { defaultWorkers } from './run.js';


function planFor(profile: string, load: string): LoadPlan {
  const text = `id: t\ntitle: t\nprofile: ${profile}\nload:\n${load.replace(/^/gm, '  ')}\n`;
  const [c] = parseScenarios(text, 'x.yaml', { resolveProfile: loadProfile });
  return parseLoadSection(c!.load!, c!, { file: 'x.yaml', line: c!.line }, loadProfile(profile));
}

const plan = (load: string): LoadPlan => planFor('assa', load);

const BASE = `clients: 100
rooms: { size: 10 }
loop: { rate: 2, send: { message: SEND_MESSAGE, data: { room_id: "\${room_id}", content: hi, message_type: text }, marker: data.content } }
delivery: { message: NEW_MESSAGE, text: data.content }`;

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isCcError(err)) return `${err.code} ${err.message}`;
    throw err;
  }
  return 'no error';
}

describe('the load: section', () => {
  it('reads load.gate, the relaxation of the default gate, and refuses a timeouts value that is no percentage', () => {
    expect(plan(`${BASE}\ngate: { connect_failures: 5, timeouts: 1.5% }`).gate).toEqual({ connectFailures: 5, timeoutsPercent: 1.5 });
    expect(plan(`${BASE}\ngate: { timeouts: 2 }`).gate).toEqual({ timeoutsPercent: 2 });
    expect(plan(BASE).gate).toBeUndefined();
    expect(problem(() => plan(`${BASE}\ngate: { timeouts: lots }`))).toMatch(/^CC_ERR_SCENARIO_INVALID x\.yaml:\d+:\d+: .*timeouts/);
  });

  it('runs in one thread by default unless the inbound message rate needs more (clients × rate × room size)', () => {
    const cores = availableParallelism();
    // The limits scenario: 950 regular clients × 0.2/s × rooms of 10 = 1,900 messages a second.
    expect(defaultWorkers(readLoadScenario(join(import.meta.dirname, '..', '..', 'scenarios', 'load', 'assa-limits.yaml')).plan)).toBe(1);
    expect(defaultWorkers({ clients: 1000, rate: 1, roomSize: 10 })).toBe(1);
    expect(defaultWorkers({ clients: 1500, rate: 1, roomSize: 10 })).toBe(1);
    expect(defaultWorkers({ clients: 1501, rate: 1, roomSize: 10 })).toBe(Math.min(cores, 2));
    expect(defaultWorkers({ clients: 20_000, rate: 1, roomSize: 10 })).toBe(cores);
  });

  it('becomes a plan with durations in ms, the spec reconnection policy and compiled templates', () => {
    const p = plan(`${BASE}\nramp: 2s\nduration: 1m`);
    expect(p).toMatchObject({ clients: 100, rampMs: 2000, durationMs: 60_000, rate: 2, roomSize: 10, reconnectBackoffMs: [1000, 2000, 4000] });
    expect(p.send.markerPath).toBe('data.content');
    expect(plan(BASE.replace('rate: 2', 'think: 250ms')).rate).toBe(4);
  });

  it('is checked against the format at file:line (a typo in a key)', () => {
    expect(problem(() => plan(`${BASE}\nclinets: 5`))).toMatch(/^CC_ERR_SCENARIO_INVALID x\.yaml:\d+:\d+: unknown field clinets/);
  });

  it('refuses a template variable a load client does not have, and a message the profile lacks', () => {
    expect(problem(() => plan(BASE.replace('"${room_id}"', '"${roomid}"')))).toContain('unknown variable roomid');
    expect(problem(() => plan(BASE.replace('message: NEW_MESSAGE', 'message: NEW_MSG')))).toContain('profile assa has no server message named NEW_MSG');
  });

  it('refuses more special clients than clients', () => {
    expect(problem(() => plan(`${BASE}\nlimits: { silent_clients: 100 }`))).toContain('more special clients than load.clients');
  });

  it('scales the special clients of a limits run with --clients', () => {
    const p = applyOverrides(plan(`${BASE}\nlimits: { silent_clients: 10, text_probes: 4, oversize_senders: 2 }`), { clients: 50 });
    expect(p.limits).toMatchObject({ silentClients: 5, textProbes: 2, oversizeSenders: 1 });
  });

  it('slices by whole rooms, every client exactly once, silent clients after the regular ones', () => {
    const p = { ...plan(`${BASE}\nlimits: { silent_clients: 5 }`), clients: 105 };
    expect(regularClients(p)).toBe(100);
    const slices = [0, 1, 2].map((i) => sliceClients(p, i, 3));
    expect(slices).toEqual([[0, 30], [30, 60], [60, 100]]);
    for (const [from] of slices) expect(from % 10).toBe(0);
    expect([0, 1, 2].map((i) => silentSlice(p, i, 3))).toEqual([[100, 101], [101, 103], [103, 105]]);
  });
});

describe('plan: what envelope and OpenIRC need', () => {
  const ENVELOPE = `rooms: { size: 2, join: { message: room.join, data: { room: "\${room_id}" }, ack: user.joined } }
loop: { send: { message: chat.message, data: { room: "\${room_id}", text: hi }, marker: data.text } }
delivery: { message: chat.message, text: data.text, echo: true }`;

  it('reads join.ack and delivery.echo', () => {
    const p = planFor('envelope', ENVELOPE);
    expect(p.join?.ack).toBe('user.joined');
    expect(p.delivery).toEqual({ message: 'chat.message', textPath: 'data.text', echo: true });
    expect(planFor('envelope', ENVELOPE.replace(', echo: true', '')).delivery.echo).toBeUndefined();
  });

  it('refuses an ack the server never sends, and an echo that is not a boolean', () => {
    expect(problem(() => planFor('envelope', ENVELOPE.replace('ack: user.joined', 'ack: room.join')))).toContain('load.rooms.join.ack: profile envelope has no server message named room.join');
    expect(problem(() => planFor('envelope', ENVELOPE.replace('echo: true', 'echo: yes please')))).toMatch(/^CC_ERR_SCENARIO_INVALID x\.yaml:\d+:\d+: .*echo/);
  });

  it('lets templates read the login answer (OpenIRC connid)', () => {
    const p = readLoadScenario(join(import.meta.dirname, '..', '..', 'scenarios', 'load', 'openirc-chat.yaml')).plan;
    expect(JSON.stringify(p.send.fields)).toContain('"connections",0,"connid"');
  });
});
