import { ccError } from '../errors.js';

/** One message read from a file: where it came from and its parsed value. */
export interface InputMessage {
  /** `file:3` for NDJSON line 3, `file[2]` for the third element of a JSON array, `file` for one document. */
  label: string;
  value: unknown;
}

/**
 * The line of a JSON.parse error. V8 says "at position N" for some errors; for an unexpected
 * token it quotes up to 10 characters either side instead (`..."context"...`), so the position is
 * found from that context. Falls back to the last line for "Unexpected end of JSON input".
 */
function lineAt(text: string, reason: string): number {
  const lineOf = (pos: number): number => text.slice(0, pos).split('\n').length;
  const position = /position (\d+)/.exec(reason);
  if (position) return lineOf(Number(position[1]));
  const context = /^Unexpected token '?(.)'?, (\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(reason);
  if (context) {
    const [, token = '', cutBefore, snippet = ''] = context;
    const start = text.indexOf(snippet);
    if (start >= 0) return lineOf(start + (cutBefore ? 10 : Math.max(0, snippet.indexOf(token))));
  }
  if (/end of JSON input/.test(reason)) return text.trimEnd().split('\n').length;
  return 1;
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
