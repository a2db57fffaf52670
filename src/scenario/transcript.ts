/**
 * A case's transcript: every message in and out of its clients, connection events, HTTP exchanges
 * and the runner's notes, each with the case's clock. Stored by the transport's recorder, keeping
 * the earliest entries (evidence keeps its index) with a marker where a long case was cut.
 */
import type { TranscriptEntry } from '../report/model.js';
import { TranscriptRecorder } from '../transport/transcript.js';
import type { InboundEvent } from '../transport/types.js';

const DEFAULT_TEXT_LIMIT = 4096;
const DEFAULT_MAX_ENTRIES = 20_000;

export class CaseTranscript {
  private readonly recorder: TranscriptRecorder<TranscriptEntry>;
  private finished = false;

  constructor(
    private readonly now: () => number,
    /** The profile's naming field: an entry names the message it holds. */
    private readonly namingField: string,
    textLimit = DEFAULT_TEXT_LIMIT,
    maxEntries = DEFAULT_MAX_ENTRIES,
  ) {
    this.recorder = new TranscriptRecorder<TranscriptEntry>(textLimit, maxEntries, {
      keep: 'earliest',
      marker: (entry) => ({ ...entry, text: `transcript truncated after ${maxEntries} entries`, truncated: true, event: 'note' }),
    });
  }

  entries(): TranscriptEntry[] {
    return this.recorder.records();
  }

  /** Records nothing more: the case has its result. */
  finish(): void {
    this.finished = true;
  }

  clip(text: string): { text: string; truncated: boolean } {
    return this.recorder.clip(text);
  }

  /** Adds an entry; its index, or -1 once the case is over or past the transcript's cap. */
  push(entry: TranscriptEntry): number {
    return this.finished ? -1 : this.recorder.add(entry);
  }

  note(client: string, text: string): void {
    this.push({ client, direction: 'out', at: this.now(), bytes: 0, text, truncated: false, event: 'note' });
  }

  /** A message from the server; its entry (for schema errors), its index and its name. */
  inbound(client: string, value: unknown, bytes: number, heartbeat: boolean): { entry: TranscriptEntry; index: number; name: string | undefined } {
    const name = this.nameOf(value);
    const { text, truncated } = this.render(value);
    const entry: TranscriptEntry = { client, direction: 'in', at: this.now(), bytes, text, truncated, ...(name ? { message: name } : {}) };
    if (heartbeat) entry.event = 'heartbeat';
    return { entry, index: this.push(entry), name };
  }

  /** A message a client sent. */
  outbound(client: string, value: unknown, heartbeat: boolean): { entry: TranscriptEntry; index: number } {
    const name = this.nameOf(value);
    const rendered = this.render(value);
    const entry: TranscriptEntry = { client, direction: 'out', at: this.now(), bytes: rendered.bytes, text: rendered.text, truncated: rendered.truncated, ...(name ? { message: name } : {}) };
    if (heartbeat) entry.event = 'heartbeat';
    return { entry, index: this.push(entry) };
  }

  /** Exact text or bytes a client sent as they are (bytes shown as base64). */
  raw(client: string, data: string | Uint8Array): number {
    const text = typeof data === 'string' ? data : `base64:${Buffer.from(data).toString('base64')}`;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    return this.push({ client, direction: 'out', at: this.now(), bytes, ...this.clip(text), event: 'raw' });
  }

  /** A close or a wire diagnostic of a client's connection. */
  event(client: string, event: Exclude<InboundEvent, { kind: 'message' }>): number {
    if (event.kind === 'close') {
      const text = `close${event.code === undefined ? '' : ` ${event.code}`}${event.reason ? ` ${event.reason}` : ''}${event.clean ? '' : ' (not clean)'}`;
      return this.push({ client, direction: 'in', at: this.now(), bytes: 0, text, truncated: false, event: 'close' });
    }
    const d = event.diagnostic;
    return this.push({ client, direction: 'in', at: this.now(), bytes: 0, text: `${d.code} ${d.message}`, truncated: false, event: 'diagnostic' });
  }

  private nameOf(value: unknown): string | undefined {
    const name = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[this.namingField] : undefined;
    return typeof name === 'string' ? name : undefined;
  }

  private render(value: unknown): { text: string; truncated: boolean; bytes: number } {
    let text: string;
    try {
      text = JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v)) ?? String(value);
    } catch {
      text = String(value);
    }
    return { ...this.clip(text), bytes: Buffer.byteLength(text) };
  }
}
