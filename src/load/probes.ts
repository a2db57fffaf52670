/**
 * The limits checks of a limits run (scenarios/load/assa-limits.yaml), under load: the probes (a
 * text of exactly the maximum length and one over it, a message one byte over the size limit) and
 * what the server did with them, and, at the end, the timer checks over every client's PING gaps
 * and drops. Everything lands in the slice's LimitTally; src/load/limits.ts turns it into cases.
 */
import { performance } from 'node:perf_hooks';
import { ClientState, RequestKind, type VirtualClient } from './client.js';
import { integrityMarker } from './integrity.js';
import { addExample } from './limits.js';
import { stampPath } from './paths.js';
import type { SliceState } from './slice-state.js';

/** Where an oversize probe's filler goes: JSON escapes the control characters, so no real text has it. */
const OVERSIZE_HOLE = '\u0001cc-oversize\u0001';

export class LimitProbes {
  /** The oversize probes' filler, one string the slice's senders share. */
  private filler = '';

  constructor(private readonly s: SliceState) {}

  /** Schedules the client's probes in the steady phase: texts at 30% and 35%, oversize messages from 50%, a little apart. */
  schedule(c: VirtualClient, oversizeIndex: number, oversizeCount: number): void {
    const s = this.s;
    const duration = s.plan.durationMs;
    if (c.textProbe) {
      s.scheduler.at(s.sendStart + duration * 0.3, () => this.sendText(c, RequestKind.TextMax));
      s.scheduler.at(s.sendStart + duration * 0.35, () => this.sendText(c, RequestKind.TextOver));
    }
    if (c.oversize) {
      // One at a time: each is a megabyte in flight, and ten at once would be ten.
      const gap = Math.min(250, (duration * 0.1) / Math.max(1, oversizeCount));
      s.scheduler.at(s.sendStart + duration * 0.5 + gap * oversizeIndex, () => this.sendOversize(c));
    }
  }

  private sendText(c: VirtualClient, kind: RequestKind.TextMax | RequestKind.TextOver): void {
    const s = this.s;
    if (c.state !== ClientState.Ready || !c.sendProto) {
      s.counts['sends.skipped']++;
      return;
    }
    const max = s.options.limits.maxTextChars;
    if (kind === RequestKind.TextMax) {
      s.tally.textMaxSent++;
      const marker = integrityMarker(c.name, c.sendSeq);
      s.sendMarked(c, ' '.padEnd(max - marker.length, 'x'), performance.now(), kind);
    } else {
      s.tally.textOverSent++;
      const message = stampPath({ ...c.sendProto }, s.protocol.markerKeys, 'y'.repeat(max + 1));
      s.request(c, message, kind, performance.now());
    }
  }

  /**
   * One message of exactly maxMessageBytes + 1 bytes (JSON), sent raw. The filler is one string
   * shared by the slice's senders, and the message around it is small text made per sender: no
   * sender holds a megabyte of its own, and nothing re-encodes the filler.
   */
  private sendOversize(c: VirtualClient): void {
    const s = this.s;
    if (c.state !== ClientState.Ready || !c.sendProto || s.profile.codec !== 'json') return;
    const message = stampPath({ ...c.sendProto }, s.protocol.markerKeys, OVERSIZE_HOLE);
    s.protocol.fill(message, c.prefix, c.nextId++);
    const text = JSON.stringify(message);
    const hole = JSON.stringify(OVERSIZE_HOLE);
    const at = text.indexOf(hole);
    const head = text.slice(0, at + 1);
    const tail = text.slice(at + hole.length - 1);
    const size = s.options.limits.maxMessageBytes + 1;
    const fill = Math.max(0, size - Buffer.byteLength(head) - Buffer.byteLength(tail));
    if (this.filler.length < fill) this.filler = 'z'.repeat(fill);
    s.tally.oversizeSent++;
    c.oversizeSentAt = performance.now();
    c.oversizeOverWs = c.conn?.scheme === 'ws' || c.conn?.scheme === 'wss';
    s.write(c, head + this.filler.slice(0, fill) + tail, size);
  }

  /**
   * An uncorrelated refusal (an oversize message's seq_id cannot be read): the probe's answer, if it
   * is one. The seed says a message over the limit is refused, not how: any refusal answers it, and
   * one in another form than assa.D3.refusal's (an error with the profile's code on a stream, a
   * close with 1009 on WebSocket) is counted apart.
   */
  onUncorrelatedRefusal(c: VirtualClient, code: string): boolean {
    if (!c.oversize || c.oversizeSentAt < 0 || c.oversizeAnswered) return false;
    c.oversizeAnswered = true;
    const t = this.s.tally;
    t.oversizeRefused++;
    if (c.oversizeOverWs || !this.s.protocol.refusesTooLong(code)) {
      t.oversizeOtherForm++;
      addExample(t, `client ${c.index}: a message over the size limit was answered with ${code}${c.oversizeOverWs ? ' over WebSocket' : ''}`);
    }
    this.s.store.increment(`refusals.${code}`);
    return true;
  }

  /** The reply to a text probe. */
  onReply(c: VirtualClient, kind: RequestKind.TextMax | RequestKind.TextOver, failed: boolean, code: string): void {
    const t = this.s.tally;
    if (kind === RequestKind.TextMax) {
      if (failed) t.textMaxRefused++;
      else t.textMaxAccepted++;
    } else if (failed && this.s.protocol.refusesTooLong(code)) {
      t.textOverRefused++;
      this.s.store.increment(`refusals.${code}`);
    } else {
      t.textOverAccepted++;
      addExample(t, `client ${c.index}: a ${this.s.options.limits.maxTextChars + 1}-character message was answered ${failed ? `with ${code}` : 'with success'}`);
    }
  }

  /** A delivery without a marker: an over-long text that got through, or just unmarked. */
  onUnmarkedText(c: VirtualClient, text: string): boolean {
    const max = this.s.options.limits.maxTextChars;
    if (text.length <= max || [...text].length <= max) return false;
    this.s.tally.textOverDelivered++;
    addExample(this.s.tally, `client ${c.index} received a message of ${[...text].length} characters`);
    return true;
  }

  /**
   * The server closed a connection: after an oversize message, its refusal (a WebSocket close,
   * 1009 or another code, or a TCP connection closed: how is assa.D3.refusal, a choice).
   */
  onServerClose(c: VirtualClient, code: number | undefined): boolean {
    if (!c.oversize || c.oversizeSentAt < 0 || c.oversizeAnswered) return false;
    c.oversizeAnswered = true;
    const t = this.s.tally;
    t.oversizeRefused++;
    t.oversizeClosed++;
    if (!c.oversizeOverWs || code !== 1009) {
      t.oversizeOtherForm++;
      addExample(t, `client ${c.index}: a message over the size limit closed the connection${code === undefined ? '' : ` with ${code}`}`);
    }
    return true;
  }

  /** An oversize message unanswered past the response timeout. */
  sweep(c: VirtualClient, now: number): void {
    const s = this.s;
    if (!c.oversize || c.oversizeSentAt < 0 || c.oversizeAnswered || now - c.oversizeSentAt <= s.timersMs.responseTimeout) return;
    c.oversizeAnswered = true;
    s.tally.oversizeNoAnswer++;
    addExample(s.tally, `client ${c.index}: no refusal of a ${s.options.limits.maxMessageBytes + 1}-byte message within ${s.timersMs.responseTimeout}ms`);
  }

  /** The timer checks need the state of every client at the end of observation (`end`). */
  observeEnd(end: number): void {
    const s = this.s;
    const t = s.tally;
    // A late event may be the generator's own stall: allow the longest event-loop delay it measured
    // (a saturated generator is flagged untrustworthy in the report anyway).
    const lag = Math.ceil(s.health.read().eventLoopLagMaxMs);
    t.lagAllowanceMs = Math.max(t.lagAllowanceMs, lag);
    const tol = s.options.toleranceMs + lag;
    const { pingInterval, pongTimeout } = s.timersMs;
    const limits = s.plan.limits;
    for (const c of s.clients) {
      t.clients++;
      if (c.authAt < 0) continue;
      if (c.conn && (c.state === ClientState.Ready || c.state === ClientState.Silent)) c.notePingGap(end - c.lastPingAt, false);
      const observedUntil = c.serverClosedAt >= 0 ? c.serverClosedAt : end;
      if (observedUntil - c.authAt >= pingInterval + tol || c.pings > 0) {
        t.pingChecked++;
        const worst = Math.max(c.maxPingGap, c.firstPingGap);
        if (worst > t.pingWorstGapMs) t.pingWorstGapMs = Math.round(worst);
        // The seed's cadence: PINGs at most an interval apart, and a first one within two at the latest.
        if (c.maxPingGap > pingInterval + tol || c.firstPingGap > 2 * pingInterval + tol) {
          t.pingLate++;
          addExample(t, `client ${c.index} went ${Math.round(worst)}ms without a PING`);
        } else if (c.firstPingGap > pingInterval + tol) {
          // Within an interval of CONNECT is our reading (assa.D5.heartbeat).
          t.firstPingLate++;
          addExample(t, `client ${c.index} got its first PING ${Math.round(c.firstPingGap)}ms after CONNECT`);
        }
      }
      if (!limits) continue;
      if (c.silent) {
        t.silentChecked++;
        if (c.serverClosedAt < 0) {
          t.silentNever++;
          addExample(t, `silent client ${c.index} was still connected ${Math.round(end - c.authAt)}ms after authenticating`);
        } else {
          // The seed: dropped, not before half the pong timeout (no reading of "60 s after no PONG"
          // allows that) and by the PING interval plus the pong timeout (the latest any reading
          // allows). Exactly the pong timeout after CONNECT is our reading (assa.D5.heartbeat).
          const after = c.serverClosedAt - c.authAt;
          if (after > t.silentWorstMs) t.silentWorstMs = Math.round(after);
          if (after < pongTimeout / 2) {
            t.silentTooEarly++;
            addExample(t, `silent client ${c.index} was dropped after ${Math.round(after)}ms, before half the ${pongTimeout}ms timeout`);
          } else if (after > pingInterval + pongTimeout + tol) {
            t.silentNever++;
            addExample(t, `silent client ${c.index} was dropped only after ${Math.round(after)}ms`);
          } else if (after < pongTimeout - s.options.toleranceMs || after > pongTimeout + tol) {
            t.silentOffReading++;
            addExample(t, `silent client ${c.index} was dropped ${Math.round(after)}ms after CONNECT`);
          } else t.silentDroppedInWindow++;
        }
      } else if (!c.oversize) {
        // Watched past the latest a silent client may be dropped under any reading.
        if (end - c.authAt > pingInterval + pongTimeout + tol) {
          t.keepaliveChecked++;
          if (c.serverClosedAt >= 0) t.keepaliveDropped++;
        } else t.keepaliveShort++;
      }
    }
  }
}
