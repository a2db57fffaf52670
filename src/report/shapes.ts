/**
 * The "message shapes" part of a report (sources-spec §3): every schema finding of a run, subject
 * or not, aggregated once per (profile, direction, message, pointer, code, source kind, rule) with
 * a count, the cases it was seen in and its first sample. A run can see millions of messages, so
 * memory is bounded: one entry per shape (each holding one sample cut to 500 bytes and the ids of
 * the cases it was seen in, at most the run's cases), and at most `maxShapes` exact shapes; past
 * that, new shapes share an entry whose pointer is `*` (then whose message is `*` as well), so a
 * server that sends endless different names still costs a bounded amount and no finding is lost.
 */
import type { FindingSource, ShapeFinding, Verdict } from './model.js';
import { verdictRank } from './verdicts.js';

/** How many case ids a shape lists; `caseCount` has them all. */
export const SHAPE_CASES_LISTED = 20;
/** The sample's raw message is cut to this many bytes of UTF-8. */
export const SHAPE_RAW_BYTES = 500;
export const DEFAULT_MAX_SHAPES = 1000;

/** One schema finding about one message. */
export interface ShapeInput {
  profile: string;
  direction: ShapeFinding['direction'];
  /** The message's name. */
  message: string;
  /** Concrete pointer; array indices are folded to `*` for aggregation. */
  pointer: string;
  code: string;
  source: FindingSource;
  /** The finding's verdict, capped by its source. */
  verdict: Verdict;
  /** What is wrong, in words (`must be integer`). */
  detail?: string;
  expected?: unknown;
  actual?: unknown;
  /** The message as received (cut here to SHAPE_RAW_BYTES). */
  raw: string;
}

interface Entry {
  shape: Omit<ShapeFinding, 'cases' | 'caseCount'>;
  /** Every case seen (insertion order: the first ones are listed). */
  cases: Set<string>;
  /** Cases counted by merged shapes beyond the ids they list. */
  unlisted: number;
}

/** The pointer with array indices as `*`: every element of an array is the same field. */
export function shapePointer(pointer: string): string {
  return pointer.replace(/\/\d+(?=\/|$)/g, '/*');
}

/** `text` cut to at most `bytes` bytes of UTF-8, never inside a character. */
export function cutUtf8(text: string, bytes = SHAPE_RAW_BYTES): { text: string; truncated: boolean } {
  if (text.length * 3 <= bytes) return { text, truncated: false };
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= bytes) return { text, truncated: false };
  let end = bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that would be cut.
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return { text: buf.subarray(0, end).toString('utf8'), truncated: true };
}

export class ShapeCollector {
  private readonly entries = new Map<string, Entry>();
  private readonly maxShapes: number;

  constructor(options: { maxShapes?: number } = {}) {
    this.maxShapes = options.maxShapes ?? DEFAULT_MAX_SHAPES;
  }

  /** Distinct shapes held. */
  get size(): number {
    return this.entries.size;
  }

  /** Counts one schema finding of one message seen in case `caseId`. */
  add(caseId: string, input: ShapeInput): void {
    const entry = this.entryFor(input.profile, input.direction, input.message, shapePointer(input.pointer), input.code, input.source, () => {
      const raw = cutUtf8(input.raw);
      return {
        case: caseId,
        pointer: input.pointer,
        ...(input.detail !== undefined ? { detail: input.detail } : {}),
        ...(input.expected !== undefined ? { expected: input.expected } : {}),
        ...(input.actual !== undefined ? { actual: input.actual } : {}),
        raw: raw.text,
        truncated: raw.truncated,
      };
    }, input.verdict);
    entry.shape.count++;
    entry.cases.add(caseId);
  }

  /**
   * Adds a finished shape (another shard's): counts add up, listed cases are united, and cases
   * beyond the listed ones are added as counted, which is exact when the shards ran different cases.
   */
  addShape(shape: ShapeFinding): void {
    const entry = this.entryFor(shape.profile, shape.direction, shape.message, shape.pointer, shape.code, shape.source, () => ({ ...shape.sample }), shape.verdict);
    entry.shape.count += shape.count;
    for (const id of shape.cases) entry.cases.add(id);
    entry.unlisted += Math.max(0, shape.caseCount - shape.cases.length);
  }

  /** The shapes, worst first, then the most frequent. */
  result(): ShapeFinding[] {
    const out: ShapeFinding[] = [];
    for (const { shape, cases, unlisted } of this.entries.values()) {
      const listed: string[] = [];
      for (const id of cases) {
        if (listed.length === SHAPE_CASES_LISTED) break;
        listed.push(id);
      }
      const { sample, ...head } = shape;
      out.push({ ...head, source: { ...shape.source }, cases: listed, caseCount: cases.size + unlisted, sample: { ...sample } });
    }
    return out.sort(
      (a, b) => verdictRank(a.verdict) - verdictRank(b.verdict) || b.count - a.count || compare(a.profile, b.profile) || compare(a.message, b.message) || compare(a.pointer, b.pointer) || compare(a.code, b.code),
    );
  }

  private entryFor(profile: string, direction: ShapeFinding['direction'], message: string, pointer: string, code: string, source: FindingSource, sample: () => ShapeFinding['sample'], verdict: Verdict): Entry {
    const keyOf = (m: string, p: string): string => [profile, direction, m, p, code, source.kind, source.rule ?? ''].join('\u0000');
    let key = keyOf(message, pointer);
    if (!this.entries.has(key) && this.entries.size >= this.maxShapes) {
      pointer = '*';
      key = keyOf(message, pointer);
      if (!this.entries.has(key) && this.entries.size >= 2 * this.maxShapes) {
        message = '*';
        key = keyOf(message, pointer);
      }
    }
    let entry = this.entries.get(key);
    if (!entry) {
      const src: FindingSource = source.rule !== undefined ? { kind: source.kind, rule: source.rule } : { kind: source.kind };
      entry = { shape: { profile, direction, message, pointer, code, source: src, verdict, count: 0, sample: sample() }, cases: new Set(), unlisted: 0 };
      this.entries.set(key, entry);
    } else if (verdictRank(verdict) < verdictRank(entry.shape.verdict)) {
      entry.shape.verdict = verdict;
    }
    return entry;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
