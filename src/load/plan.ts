/**
 * The `load:` section of a scenario case and what it becomes: a LoadPlan, plain data (templates are
 * compiled trees) so it can be posted to worker threads as is. The scenario parser checks the
 * section's shape against LOAD_SECTION_SCHEMA (file:line:column); this module gives it meaning.
 *
 * ```yaml
 * load:
 *   clients: 1000
 *   ramp: 10s
 *   duration: 60s
 *   rooms:
 *     size: 10
 *     create: { message: CREATE_ROOM, data: { name: "load ${room}", is_open: true }, id: data.room_id }
 *     join: { message: JOIN_ROOM, data: { room_id: "${room_id}" } }
 *   loop:
 *     rate: 1            # messages per second per client (or think: 1s)
 *     send: { message: SEND_MESSAGE, data: { room_id: "${room_id}", content: "hi", message_type: text }, marker: data.content }
 *   delivery: { message: NEW_MESSAGE, text: data.content }
 *   thresholds: ["reply.p99<100ms", "delivery.lost==0"]
 * ```
 */
import { ccError } from '../errors.js';
import type { Profile } from '../profile/types.js';
import type { GateSettings } from '../report/gate.js';
import { compileTemplate, templateVariables, type Template, type TemplateError } from '../scenario/template.js';
import { parseDuration } from '../util/duration.js';

export { LOAD_SECTION_SCHEMA } from '../scenario/load-section.schema.js';

/**
 * Variables a load template may read. `login` is the parsed answer of an HTTP login (profiles
 * with `auth.kind: http-login`, e.g. OpenIRC's connections and their connid), null otherwise.
 */
export const LOAD_VARIABLES = ['client', 'user_id', 'nickname', 'room', 'room_id', 'login'] as const;

export interface MessagePlan {
  message: string;
  data?: Template;
  fields?: Template;
}

export interface LimitsPlan {
  /** Clients (the last ones) that never answer PING and must be dropped by the pong timeout. */
  silentClients: number;
  /** Clients (the first ones) that send one max-length text (delivered) and one max+1 (refused). */
  textProbes: number;
  /** Clients that send one message of maxMessageBytes + 1 bytes (refused, others undisturbed). */
  oversizeSenders: number;
  /** Slack on timer checks, ms (default: 10% of the timer, at least 50 ms). */
  toleranceMs?: number;
}

export interface LoadPlan {
  id: string;
  title: string;
  clients: number;
  rampMs: number;
  /** Steady phase after the ramp; undefined = derived (the limits checks need the drop timeout to pass). */
  durationMs: number | undefined;
  drainMs: number;
  userIdBase: number;
  roomSize: number;
  create?: MessagePlan & { idPath: string };
  /**
   * `ack`: the server message that acknowledges the join when the protocol answers it with no
   * correlated reply (envelope: the joiner's own copy of user.joined); the first one the joining
   * client receives completes its join. Errors still come correlated.
   */
  join?: MessagePlan & { ack?: string };
  /** Messages per second per client. */
  rate: number;
  send: MessagePlan & { markerPath: string };
  /**
   * `echo`: the server also delivers a message to its sender (overrides the profile's senderCopy): the sender is one of
   * the expected recipients, and when the send has no correlated success reply, its own copy is
   * the reply (timed into `reply` and `reply_scheduled`).
   */
  delivery: { message: string; textPath: string; echo?: boolean };
  /** Backoff before each reconnection attempt, ms (ASSA §10.3: 1 s, 2 s, 4 s). */
  reconnectBackoffMs: number[];
  limits?: LimitsPlan;
  thresholds: string[];
  /** The scenario's relaxation of the default gate (src/report/gate.ts), if any. */
  gate?: Partial<GateSettings>;
}

export const DEFAULT_RECONNECT_BACKOFF_MS = [1000, 2000, 4000];

interface Where {
  file: string;
  line: number;
}

function fail(where: Where, reason: string, hint: string): never {
  throw ccError('CC_ERR_SCENARIO_INVALID', { path: where.file, line: where.line, column: 1, reason, hint });
}

/**
 * Gives the raw `load:` section (already shape-checked) its meaning: durations, templates compiled
 * (reading only LOAD_VARIABLES), message names checked against the profile when one is given.
 */
export function parseLoadSection(raw: Record<string, unknown>, meta: { id: string; title: string }, where: Where, profile?: Profile): LoadPlan {
  const compile = (value: unknown, at: string): Template => {
    const t = compileTemplate(value, (err: TemplateError) => fail(where, `load.${at}: ${err.message}`, 'templates are ${name}; see docs/load.md'));
    for (const v of templateVariables(t)) {
      if (!(LOAD_VARIABLES as readonly string[]).includes(v.name)) {
        fail(where, `load.${at}: unknown variable ${v.name}`, `load templates read ${LOAD_VARIABLES.join(', ')}`);
      }
    }
    return t;
  };
  const checkName = (name: string, direction: 'client' | 'server', at: string): void => {
    if (!profile) return;
    if (!profile.messages.some((m) => m.name === name && m.direction === direction)) {
      fail(where, `load.${at}: profile ${profile.name} has no ${direction} message named ${name}`, `run \`chat-conform profiles --messages ${profile.name}\``);
    }
  };
  const message = (spec: Record<string, unknown>, at: string): MessagePlan => {
    checkName(spec.message as string, 'client', `${at}.message`);
    const out: MessagePlan = { message: spec.message as string };
    if (spec.data !== undefined) out.data = compile(spec.data, `${at}.data`);
    if (spec.fields !== undefined) out.fields = compile(spec.fields, `${at}.fields`);
    return out;
  };

  const loop = raw.loop as Record<string, unknown> | undefined;
  if (!loop) fail(where, 'load needs loop.send: what each client sends', 'e.g. loop: {rate: 1, send: {message: SEND_MESSAGE, data: {...}, marker: data.content}}');
  if (loop.rate !== undefined && loop.think !== undefined) fail(where, 'load.loop takes rate or think, not both', 'rate: 1 (per second) or think: 1s');
  const rate = loop.rate !== undefined ? (loop.rate as number) : loop.think !== undefined ? 1000 / Math.max(1, parseDuration(loop.think as string | number)) : 1;
  const sendRaw = loop.send as Record<string, unknown>;
  if (typeof sendRaw.marker !== 'string') fail(where, 'load.loop.send needs marker: the path of the text field that carries the integrity marker', 'e.g. marker: data.content');
  const delivery = raw.delivery as Record<string, unknown> | undefined;
  if (!delivery) fail(where, 'load needs delivery: the broadcast recipients get and where its text is', 'e.g. delivery: {message: NEW_MESSAGE, text: data.content}');
  checkName(delivery.message as string, 'server', 'delivery.message');

  const rooms = raw.rooms as Record<string, unknown> | undefined;
  const plan: LoadPlan = {
    id: meta.id,
    title: meta.title,
    clients: (raw.clients as number | undefined) ?? 100,
    rampMs: raw.ramp === undefined ? 0 : parseDuration(raw.ramp as string | number),
    durationMs: raw.duration === undefined ? undefined : parseDuration(raw.duration as string | number),
    drainMs: raw.drain === undefined ? 2000 : parseDuration(raw.drain as string | number),
    userIdBase: (raw.user_id_base as number | undefined) ?? 100_000,
    roomSize: (rooms?.size as number | undefined) ?? 10,
    rate,
    send: { ...message(sendRaw, 'loop.send'), markerPath: sendRaw.marker as string },
    delivery: { message: delivery.message as string, textPath: delivery.text as string, ...(delivery.echo === true ? { echo: true } : {}) },
    reconnectBackoffMs: ((raw.reconnect as { backoff?: (string | number)[] } | undefined)?.backoff ?? DEFAULT_RECONNECT_BACKOFF_MS).map((d) => parseDuration(d)),
    thresholds: (raw.thresholds as string[] | undefined) ?? [],
  };
  if (rooms?.create) {
    const c = rooms.create as Record<string, unknown>;
    plan.create = { ...message(c, 'rooms.create'), idPath: c.id as string };
  }
  if (rooms?.join) {
    const j = rooms.join as Record<string, unknown>;
    plan.join = message(j, 'rooms.join');
    if (typeof j.ack === 'string') {
      checkName(j.ack, 'server', 'rooms.join.ack');
      plan.join.ack = j.ack;
    }
  }
  const gate = raw.gate as { connect_failures?: number; timeouts?: number | string } | undefined;
  if (gate) {
    plan.gate = {};
    if (gate.connect_failures !== undefined) plan.gate.connectFailures = gate.connect_failures;
    if (gate.timeouts !== undefined) plan.gate.timeoutsPercent = typeof gate.timeouts === 'number' ? gate.timeouts : Number.parseFloat(gate.timeouts);
  }
  const limits = raw.limits as Record<string, unknown> | undefined;
  if (limits) {
    plan.limits = {
      silentClients: (limits.silent_clients as number | undefined) ?? 0,
      textProbes: (limits.text_probes as number | undefined) ?? 0,
      oversizeSenders: (limits.oversize_senders as number | undefined) ?? 0,
    };
    if (limits.tolerance !== undefined) plan.limits.toleranceMs = parseDuration(limits.tolerance as string | number);
    const special = plan.limits.silentClients + Math.max(plan.limits.textProbes, plan.limits.oversizeSenders);
    if (plan.limits.silentClients >= plan.clients || special > plan.clients) {
      fail(where, `load.limits asks for more special clients than load.clients (${plan.clients})`, 'lower silent_clients, text_probes or oversize_senders');
    }
  }
  return plan;
}

/** Overrides from the command line, applied over the scenario's plan. */
export interface PlanOverrides {
  clients?: number;
  rampMs?: number;
  durationMs?: number;
  rate?: number;
}

export function applyOverrides(plan: LoadPlan, o: PlanOverrides): LoadPlan {
  const out = { ...plan };
  if (o.clients !== undefined) {
    out.clients = o.clients;
    if (out.limits) {
      // Keep the special clients' share when the count changes.
      const scale = o.clients / plan.clients;
      out.limits = {
        ...out.limits,
        silentClients: Math.min(o.clients - 1, Math.max(out.limits.silentClients > 0 ? 1 : 0, Math.round(out.limits.silentClients * scale))),
        textProbes: Math.max(out.limits.textProbes > 0 ? 1 : 0, Math.round(out.limits.textProbes * scale)),
        oversizeSenders: Math.max(out.limits.oversizeSenders > 0 ? 1 : 0, Math.round(out.limits.oversizeSenders * scale)),
      };
    }
  }
  if (o.rampMs !== undefined) out.rampMs = o.rampMs;
  if (o.durationMs !== undefined) out.durationMs = o.durationMs;
  if (o.rate !== undefined) out.rate = o.rate;
  return out;
}

export function roomOf(plan: LoadPlan, client: number): number {
  return Math.floor(client / plan.roomSize);
}

/**
 * Which clients a worker or shard runs: whole rooms only, so every room's senders and recipients
 * are tracked in one place and delivery integrity stays exact. Returns [from, to) of the regular
 * clients; silent clients of a limits run are split by `silentSlice`.
 */
export function sliceClients(plan: LoadPlan, index: number, count: number): [number, number] {
  const rooms = Math.ceil(regularClients(plan) / plan.roomSize);
  const roomFrom = Math.floor((rooms * index) / count);
  const roomTo = Math.floor((rooms * (index + 1)) / count);
  const from = Math.min(regularClients(plan), roomFrom * plan.roomSize);
  const to = Math.min(regularClients(plan), roomTo * plan.roomSize);
  return [from, to];
}

/** Clients that join rooms and send (all but the silent ones of a limits run). */
export function regularClients(plan: Pick<LoadPlan, 'clients' | 'limits'>): number {
  return plan.clients - (plan.limits?.silentClients ?? 0);
}

/** Silent clients of slice `index` of `count`: [from, to) in global client numbering. */
export function silentSlice(plan: LoadPlan, index: number, count: number): [number, number] {
  const silent = plan.limits?.silentClients ?? 0;
  const base = regularClients(plan);
  return [base + Math.floor((silent * index) / count), base + Math.floor((silent * (index + 1)) / count)];
}
