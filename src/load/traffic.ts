/**
 * The hot loop of a slice: a client's timetable tick sends its marked message, and every inbound
 * message is counted, validated, and sorted: a PING is answered, a delivery checked for integrity,
 * a reply correlated and timed. Nothing here allocates per message beyond what the transport
 * decoded; the fields the loop reads on every message are kept on this object.
 */
import { performance } from 'node:perf_hooks';
import type { Recorder } from '../metrics/recorder.js';
import type { ProfileValidator, ValidationOutcome } from '../spec/validator.js';
import type { InboundEvent } from '../transport/types.js';
import { ClientState, RequestKind, type RoomState, type VirtualClient } from './client.js';
import type { IntegrityTracker } from './integrity.js';
import { readIntegrityMarker, readNumericMarker, type DeliveryOutcome } from './integrity.js';
import type { ClientLifecycle } from './lifecycle.js';
import { readKeys, stampPath } from './paths.js';
import { regularClients, roomOf } from './plan.js';
import type { LimitProbes } from './probes.js';
import type { LoadProtocol } from './protocol.js';
import { isoNow } from './send-template.js';
import type { CounterName, SliceState } from './slice-state.js';

export class Traffic {
  private readonly counts: Record<CounterName, number>;
  private readonly protocol: LoadProtocol;
  private readonly tracker: IntegrityTracker;
  private readonly replyRec: Recorder;
  private readonly replyScheduledRec: Recorder;
  private readonly deliveryRec: Recorder;
  private readonly taken: { scheduledAt: number; sentAt: number };
  /** Out-parameter of readNumericMarker. */
  private readonly markerSender = { sender: 0 };

  constructor(
    private readonly s: SliceState,
    private readonly validator: ProfileValidator | undefined,
    private readonly lifecycle: ClientLifecycle,
    private readonly probes: LimitProbes,
  ) {
    this.counts = s.counts;
    this.protocol = s.protocol;
    this.tracker = s.tracker;
    this.replyRec = s.rec.reply;
    this.replyScheduledRec = s.rec.replyScheduled;
    this.deliveryRec = s.rec.delivery;
    this.taken = s.taken;
  }

  onEvent(c: VirtualClient, event: InboundEvent): void {
    if (event.kind === 'message') this.onMessage(c, event.value, event.bytes, event.at);
    else if (event.kind === 'close') this.lifecycle.onClose(c, event.code);
  }

  /** A client's timetable came due: its next tick is scheduled, and it sends if it can. */
  onTick(c: VirtualClient, scheduledAt: number): void {
    const next = c.table?.next();
    if (next !== undefined) this.s.scheduler.at(next, c.onTick);
    if (c.state !== ClientState.Ready || !c.sendProto) {
      this.counts['sends.skipped']++;
      return;
    }
    if (!this.lifecycle.settled(c.room as RoomState)) {
      this.counts['sends.waiting']++;
      return;
    }
    this.s.sendMarked(c, c.sendSuffix, scheduledAt, RequestKind.Send);
  }

  /** `at`: when the transport decoded it (performance.now()), the receive time of every figure. */
  private onMessage(c: VirtualClient, value: unknown, bytes: number, at: number): void {
    this.counts['messages.received']++;
    this.counts['bytes.received'] += bytes;
    if (this.validator) {
      const outcome = this.validator.validate('server', value);
      // The valid outcome without extras is one shared object: nothing is recorded on the common path.
      if (outcome.kind !== 'valid' || outcome.extras.length > 0) this.noteViolation(outcome, value);
    }
    if (value === null || typeof value !== 'object') return;
    const p = this.protocol;
    const msg = value as Record<string, unknown>;
    const name = msg[p.namingField];
    if (p.ping !== undefined && name === p.ping.ping) return this.onPing(c, msg);
    if (name === p.deliveryMessage) return this.onDelivery(c, msg, at);
    if (name === p.joinAck && c.state === ClientState.Joining && c.take(c.joinId, this.taken) === RequestKind.Join) {
      this.counts.replies++;
      return this.lifecycle.becomeMember(c);
    }
    const id = this.idOf(c, readKeys(msg, p.replyKeys));
    let kind = id < 0 ? RequestKind.None : c.take(id, this.taken);
    const failed = name === p.errorMessage || msg.success === false;
    const code = failed ? p.errorCode(msg) : '';
    // The barrier's refusal, when the server does not echo the barrier's id: its code, while one is awaited.
    if (kind === RequestKind.None && failed && c.barrierId >= 0 && code === p.joinBarrier?.code) kind = c.take(c.barrierId, this.taken);
    switch (kind) {
      case RequestKind.Barrier:
        // Everything sent before the barrier was handled: a join not refused by now is done.
        this.counts.replies++;
        c.barrierId = -1;
        if (c.state === ClientState.Joining && c.take(c.joinId, this.taken) === RequestKind.Join) {
          this.counts.replies++;
          this.lifecycle.becomeMember(c);
        }
        return;
      case RequestKind.None:
        if (!failed) this.counts['messages.other']++;
        else if (!this.probes.onUncorrelatedRefusal(c, code)) this.s.store.increment(`errors.${code}`);
        return;
      case RequestKind.Send:
      case RequestKind.TextMax:
        this.counts.replies++;
        this.replyRec.record((at - this.taken.sentAt) * 1000);
        this.replyScheduledRec.record((at - this.taken.scheduledAt) * 1000);
        if (failed) this.s.store.increment(`errors.${code}`);
        if (kind === RequestKind.TextMax) this.probes.onReply(c, kind, failed, code);
        return;
      case RequestKind.TextOver:
        this.counts.replies++;
        this.probes.onReply(c, kind, failed, code);
        return;
      default:
        this.counts.replies++;
        this.lifecycle.onReply(c, kind as RequestKind.Auth | RequestKind.Create | RequestKind.Join, msg, failed, code, this.taken.sentAt, at);
    }
  }

  /** A message counts once per class it breaks (only FAIL is `schema.violations`); the log keeps the evidence. */
  private noteViolation(outcome: ValidationOutcome, value: unknown): void {
    const broke = this.s.violations.record(outcome, value);
    if (broke.fail) this.counts['schema.violations']++;
    if (broke.nonStrict) this.counts['schema.non_strict']++;
    if (broke.informational) this.counts['schema.informational']++;
  }

  private idOf(c: VirtualClient, correlation: unknown): number {
    if (typeof correlation === 'number') return Number.isInteger(correlation) ? correlation : -1;
    if (typeof correlation !== 'string' || !correlation.startsWith(c.prefix)) return -1;
    const n = Number(correlation.slice(c.prefix.length));
    return Number.isInteger(n) ? n : -1;
  }

  private onPing(c: VirtualClient, ping: Record<string, unknown>): void {
    const now = performance.now();
    if (c.authAt >= 0) {
      c.notePingGap(now - c.lastPingAt, true);
      c.lastPingAt = now;
      c.pings++;
    }
    if (c.silent) return;
    const p = this.protocol;
    const hb = p.ping!;
    const pong: Record<string, unknown> = { [p.namingField]: hb.pong };
    if (hb.echoField && ping[hb.echoField] !== undefined) pong[hb.echoField] = ping[hb.echoField];
    if ('data' in ping) pong.data = {};
    for (const [keys, kind] of p.autofill) {
      if (readKeys(pong, keys) === undefined) stampPath(pong, keys, kind === 'now-iso' ? isoNow() : c.prefix + c.nextId++);
    }
    this.counts['heartbeats.answered']++;
    this.s.write(c, p.codec.encode(pong));
  }

  private onDelivery(c: VirtualClient, msg: Record<string, unknown>, at: number): void {
    const text = readKeys(msg, this.protocol.textKeys);
    if (typeof text !== 'string') {
      this.counts['delivery.unmarked']++;
      return;
    }
    let seq = readNumericMarker(text, this.markerSender);
    let senderIndex = this.markerSender.sender;
    if (seq < 0) {
      // Not at the start of the text: the slow reader finds it anywhere.
      const marker = readIntegrityMarker(text);
      if (!marker) {
        if (!this.probes.onUnmarkedText(c, text)) this.counts['delivery.unmarked']++;
        return;
      }
      seq = marker.seq;
      senderIndex = Number(marker.sender);
    }
    const s = this.s;
    const sender = s.clients[senderIndex - s.options.range[0]];
    if (sender === undefined || sender.index !== senderIndex || sender.room === undefined) {
      // A client of another slice: rooms are never split, so its room is not this client's.
      if (Number.isInteger(senderIndex) && senderIndex >= 0 && senderIndex < regularClients(s.plan)) this.tracker.leak(`r${roomOf(s.plan, senderIndex)}`);
      else s.unknownMarkers++;
      return;
    }
    if (sender.room !== c.room) {
      this.tracker.leak(sender.room.label);
      return;
    }
    const handle = (c.fromRoom[sender.slot] ??= this.tracker.deliveryHandle(sender.room.label, sender.name, c.name));
    this.delivered(c, sender, seq, handle.deliver(seq), at);
  }

  /** Fan-out latency of a first copy to another member; the sender's own copy is its reply when echoIsReply. */
  private delivered(c: VirtualClient, sender: VirtualClient, seq: number, outcome: DeliveryOutcome, at: number): void {
    if (outcome !== 'ok' && outcome !== 'reordered') return;
    const sentAt = sender.sendTimes[seq]!;
    if (sender !== c) this.deliveryRec.record((at - sentAt) * 1000);
    else if (this.protocol.echoIsReply) {
      this.replyRec.record((at - sentAt) * 1000);
      this.replyScheduledRec.record((at - c.sendScheduled![seq]!) * 1000);
    }
  }

  /** Gives up on requests past the response timeout (and unanswered oversize probes). */
  sweep(): void {
    const s = this.s;
    const now = performance.now();
    const deadline = now - s.timersMs.responseTimeout;
    for (const c of s.clients) {
      if (c.pending > 0) c.expire(deadline, s.expired);
      if (c.oversize) this.probes.sweep(c, now);
    }
  }

  /** Waits for replies and deliveries in flight, at most until `until` (performance.now() time). */
  async drain(until: number): Promise<void> {
    const s = this.s;
    while (!s.stopping && performance.now() < until) {
      let pending = 0;
      for (const c of s.clients) pending += c.pending;
      if (pending === 0 && this.tracker.awaited() === 0) return;
      await s.pause(20);
      this.sweep();
    }
  }
}
