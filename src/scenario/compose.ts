/**
 * Builds the messages a client sends: the naming field, `data`, top-level fields, the envelope
 * fields the profile autofills (timestamp, seq_id, rid) unless the scenario gives them, and
 * exact-size padding for `${bytes(n)}`.
 */
import type { CodecName, Profile } from '../profile/types.js';
import { padToSize } from './generators.js';
import { readPath, setPath } from '../util/dotted-path.js';
import { ByteFill } from './template.js';

/** Mints correlation values the way the profile says: unique strings, or a wrapping int32 counter. */
export class CorrelationIds {
  private counter = 0;

  constructor(
    private readonly generator: Profile['correlation']['generator'],
    private readonly prefix: string,
  ) {}

  next(): string | number {
    if (this.generator === 'int32') {
      const id = this.counter;
      this.counter = this.counter >= 2147483647 ? 0 : this.counter + 1;
      return id;
    }
    this.counter += 1;
    return `${this.prefix}-${this.counter}`;
  }
}

export interface ComposeResult {
  message: Record<string, unknown>;
  /** Value of the correlation request field, when the message carries one. */
  correlation: unknown;
}

/**
 * Assembles a message. `fields` go at the top level, `data` under `data`; the naming field is
 * set last so a scenario cannot send a message under the wrong name by accident (use raw for that).
 */
export function composeMessage(
  profile: Profile,
  name: string,
  parts: { data?: unknown; fields?: unknown },
  ids: CorrelationIds,
  autofill: boolean,
): ComposeResult {
  const message: Record<string, unknown> = {};
  message[profile.namingField] = name;
  if (parts.fields !== undefined && parts.fields !== null && typeof parts.fields === 'object') {
    Object.assign(message, parts.fields as Record<string, unknown>);
    message[profile.namingField] = name;
  }
  if (parts.data !== undefined) message.data = parts.data;
  if (autofill) fillEnvelope(profile, message, ids);
  const correlation = readPath(message, profile.correlation.requestField);
  return { message, correlation: correlation.found ? correlation.value : undefined };
}

/**
 * Sets each autofill field the message does not already carry, and the correlation field: a
 * request without one could not be matched to its reply.
 */
export function fillEnvelope(profile: Profile, message: Record<string, unknown>, ids: CorrelationIds): void {
  for (const [field, kind] of Object.entries(profile.autofill)) {
    if (readPath(message, field).found) continue;
    setPath(message, field, kind === 'now-iso' ? new Date().toISOString() : ids.next());
  }
  const field = profile.correlation.requestField;
  if (!readPath(message, field).found) setPath(message, field, ids.next());
}

/**
 * Replaces the `${bytes(n)}` marker (at most one per message) with padding so the serialised
 * message is exactly n bytes. Returns an error text when it cannot be done.
 */
export function applyByteFill(message: Record<string, unknown>, codec: CodecName): string | undefined {
  const found = findFill(message);
  if (!found) return undefined;
  const { holder, key, fill } = found;
  if (findFill(message, fill)) return 'only one ${bytes(n)} per message';
  const ok = padToSize(message, (padding) => {
    holder[key] = padding;
  }, fill.size, codec);
  return ok ? undefined : `the message is already larger than ${fill.size} bytes without padding`;
}

function findFill(value: unknown, skip?: ByteFill): { holder: Record<string | number, unknown>; key: string | number; fill: ByteFill } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const holder = value as Record<string | number, unknown>;
  for (const key of Object.keys(holder)) {
    const v = holder[key];
    if (v instanceof ByteFill) {
      if (v !== skip) return { holder, key, fill: v };
      continue;
    }
    const inner = findFill(v, skip);
    if (inner) return inner;
  }
  return undefined;
}
