/**
 * A JSON message serialised once and shared by every recipient: `line` (with `\n`) for NDJSON
 * over TCP, `body` (a view of the same bytes, without `\n`) for a WebSocket text frame.
 */
export interface JsonFrame {
  readonly line: Buffer;
  readonly body: Buffer;
}

export function jsonFrame(value: unknown): JsonFrame {
  const line = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
  return { line, body: line.subarray(0, line.length - 1) };
}
