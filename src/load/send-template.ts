/**
 * A client's regular send as JSON text with holes. The message is the same every tick except the
 * integrity marker, the correlation id and the autofilled timestamp, so it is encoded once (when
 * the client becomes ready) and each send only concatenates the fixed pieces with those values.
 * This replaces, per send: copying the message, adding properties to fresh objects (slow keyed
 * stores), JSON.stringify, and Buffer.byteLength. The text is exactly what the generic path
 * (stampPath + fill + JSON.stringify) would produce; send-template.test.ts holds them equal.
 */
import { readKeys, stampPath } from './paths.js';

export enum Slot {
  /** The content field: `[cc:<sender>:<seq>]` followed by the client's fixed suffix. */
  Marker,
  /** An autofilled `now-iso` field. */
  Now,
  /** The correlation id (an autofilled `correlation-id` field, or the profile's request field). */
  Id,
}

/** What the engine's `fill()` would write where, so the template mirrors it exactly. */
export interface FillPlan {
  autofill: readonly (readonly [readonly (string | number)[], 'now-iso' | 'correlation-id'])[];
  requestKeys: readonly (string | number)[];
}

/** Stand-ins that JSON.stringify leaves recognisable: control characters are escaped, so no real text collides. */
const HOLE: Record<Slot, string> = { [Slot.Marker]: '\u0001cc-marker\u0001', [Slot.Now]: '\u0001cc-now\u0001', [Slot.Id]: '\u0001cc-id\u0001' };

export class SendTemplate {
  private constructor(
    /** parts.length === slots.length + 1 */
    private readonly parts: readonly string[],
    private readonly slots: readonly Slot[],
    /** The JSON-escaped text after the marker, inside the content string's quotes. */
    private readonly suffix: string,
    /** The JSON-escaped id prefix (string ids), or undefined for int32 ids. */
    private readonly idPrefix: string | undefined,
    /** UTF-8 bytes minus UTF-16 units of everything fixed: the holes are ASCII. */
    private readonly extraBytes: number,
  ) {}

  /**
   * Encodes `proto` with the marker at `markerKeys` and the fill plan applied; undefined when the
   * message cannot be templated (then the caller uses the generic path).
   */
  static build(proto: Record<string, unknown>, markerKeys: readonly (string | number)[], suffix: string, fill: FillPlan, idPrefix: string | undefined): SendTemplate | undefined {
    const message = stampPath({ ...proto }, markerKeys, HOLE[Slot.Marker]);
    for (const [keys, kind] of fill.autofill) {
      if (readKeys(message, keys) === undefined) stampPath(message, keys, HOLE[kind === 'now-iso' ? Slot.Now : Slot.Id]);
    }
    if (readKeys(message, fill.requestKeys) === undefined) stampPath(message, fill.requestKeys, HOLE[Slot.Id]);
    const text = JSON.stringify(message);
    const holes = ([Slot.Marker, Slot.Now, Slot.Id] as const).map((slot) => [slot, JSON.stringify(HOLE[slot])] as const);
    const parts: string[] = [];
    const slots: Slot[] = [];
    let from = 0;
    for (;;) {
      let next: { at: number; slot: Slot; length: number } | undefined;
      for (const [slot, hole] of holes) {
        const at = text.indexOf(hole, from);
        if (at >= 0 && (!next || at < next.at)) next = { at, slot, length: hole.length };
      }
      if (!next) break;
      parts.push(text.slice(from, next.at));
      slots.push(next.slot);
      from = next.at + next.length;
    }
    parts.push(text.slice(from));
    // The marker must be there exactly once; anything else means the holes did not land as planned.
    if (slots.filter((s) => s === Slot.Marker).length !== 1) return undefined;
    const escapedSuffix = JSON.stringify(suffix).slice(1, -1);
    const escapedPrefix = idPrefix === undefined ? undefined : JSON.stringify(idPrefix).slice(1, -1);
    let extraBytes = 0;
    for (const fixed of [...parts, escapedSuffix, ...slots.filter((s) => s === Slot.Id).map(() => escapedPrefix ?? '')]) {
      extraBytes += Buffer.byteLength(fixed) - fixed.length;
    }
    return new SendTemplate(parts, slots, escapedSuffix, escapedPrefix, extraBytes);
  }

  /** The message text for marker `marker` (ASCII), correlation id `id` and ISO timestamp `now`. */
  render(marker: string, id: number, now: string): string {
    const parts = this.parts;
    const slots = this.slots;
    let out = parts[0] as string;
    for (let i = 0; i < slots.length; i++) {
      switch (slots[i]) {
        case Slot.Marker:
          out += `"${marker}${this.suffix}"`;
          break;
        case Slot.Now:
          out += `"${now}"`;
          break;
        default:
          out += this.idPrefix === undefined ? String(id) : `"${this.idPrefix}${id}"`;
      }
      out += parts[i + 1] as string;
    }
    return out;
  }

  /** UTF-8 size of a text `render` returned, without scanning it. */
  byteLength(text: string): number {
    return text.length + this.extraBytes;
  }
}

let isoSecond = NaN;
let isoPrefix = '';
/** Last representable millisecond with a 4-digit year; later ones take the slow path. */
const ISO_FAST_LIMIT = 253402300799999;

/**
 * `new Date(ms).toISOString()`, with the date and time up to the second cached: only the
 * milliseconds change between most calls.
 */
export function isoNow(ms: number = Date.now()): string {
  if (!(ms >= 0 && ms <= ISO_FAST_LIMIT) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const rest = ms % 1000;
  const second = ms - rest;
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second).toISOString().slice(0, 20);
  }
  return `${isoPrefix}${rest < 10 ? '00' : rest < 100 ? '0' : ''}${rest}Z`;
}
