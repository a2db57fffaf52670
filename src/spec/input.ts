import { ccError } from '../errors.js';

/** One message read from a file: where it came from and its parsed value. */
export interface InputMessage {
  /** `file:3` for NDJSON line 3, `file[2]` for the third element of a JSON array, `file` for one document. */
  label: string;
  value: unknown;
}

function lineAt(text: string, reason: string): number {
  const match = /position (\d+)/.exec(reason);
  if (!match) return 1;
  return text.slice(0, Number(match[1])).split('\n').length;
}

/**
 * Reads JSON or NDJSON. The whole text is tried as one JSON document first: an object is one
 * message, a top-level array is a list of messages (one per element; docs/profiles.md). Otherwise
 * each non-empty line is one message; a line that is not JSON is CC_ERR_INPUT_PARSE with its number.
 * A document spread over several lines with a syntax error is reported at the line of the error.
 */
export function parseMessages(text: string, source: string): InputMessage[] {
  const body = text.replace(/^\uFEFF/, '');
  try {
    const whole: unknown = JSON.parse(body);
    if (Array.isArray(whole)) return whole.map((value, i) => ({ label: `${source}[${i}]`, value }));
    return [{ label: source, value: whole }];
  } catch (err) {
    const lines = body.split('\n');
    const firstIndex = lines.findIndex((l) => l.trim() !== '');
    if (firstIndex === -1) throw ccError('CC_ERR_INPUT_PARSE', { source, line: 1, reason: 'the input is empty' });
    let firstParses = true;
    try {
      JSON.parse(lines[firstIndex] ?? '');
    } catch {
      firstParses = false;
    }
    if (!firstParses && lines.filter((l) => l.trim() !== '').length > 1 && /^\s*[[{]\s*$/.test(lines[firstIndex] ?? '')) {
      const reason = (err as Error).message;
      throw ccError('CC_ERR_INPUT_PARSE', { source, line: lineAt(body, reason), reason });
    }
    const out: InputMessage[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push({ label: `${source}:${i + 1}`, value: JSON.parse(line) as unknown });
      } catch (lineErr) {
        throw ccError('CC_ERR_INPUT_PARSE', { source, line: i + 1, reason: (lineErr as Error).message });
      }
    });
    return out;
  }
}
