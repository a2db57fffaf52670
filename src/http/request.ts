/**
 * One HTTP request under a hard deadline, for the `http` step: connecting, sending and reading the
 * answer all count against it, the answer is read up to a cap, and every way it can go wrong
 * (refused, reset, no answer in time, a bad URL) comes back as a value, never a hang or a throw.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpRequestOptions {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Deadline of the whole exchange, ms. */
  timeoutMs: number;
  /** Accept self-signed certificates (https://). */
  insecure?: boolean;
  /** Aborts the request early (the case ended). */
  signal?: AbortSignal;
  /** Bytes of the answer kept; the rest is not read (default 64 KiB). */
  maxBodyBytes?: number;
}

export type HttpOutcome =
  | { kind: 'response'; status: number; headers: Record<string, string>; text: string; truncated: boolean; ms: number }
  | { kind: 'failed'; reason: 'bad-url' | 'timeout' | 'aborted' | 'network'; message: string; ms: number };

const DEFAULT_MAX_BODY = 64 * 1024;

export function httpRequest(options: HttpRequestOptions): Promise<HttpOutcome> {
  const started = Date.now();
  const ms = (): number => Date.now() - started;
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return Promise.resolve({ kind: 'failed', reason: 'bad-url', message: `${JSON.stringify(options.url)} is not a URL`, ms: 0 });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve({ kind: 'failed', reason: 'bad-url', message: `${url.protocol} is not http: or https:`, ms: 0 });
  }
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return new Promise<HttpOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: HttpOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(outcome);
    };
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: options.method,
      headers,
      // One request, one socket: no keep-alive agent left holding the connection after the case.
      agent: false,
      ...(url.protocol === 'https:' ? { rejectUnauthorized: !(options.insecure ?? false) } : {}),
    });
    const timer = setTimeout(() => finish({ kind: 'failed', reason: 'timeout', message: `no answer within ${options.timeoutMs} ms`, ms: ms() }), options.timeoutMs);
    const onAbort = (): void => finish({ kind: 'failed', reason: 'aborted', message: 'the case ended', ms: ms() });
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'failed', reason: 'network', message: err.code ? `${err.code} ${err.message}` : err.message, ms: ms() }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const done = (): void => {
        const text = Buffer.concat(chunks).toString('utf8');
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
        finish({ kind: 'response', status: res.statusCode ?? 0, headers: flat, text, truncated, ms: ms() });
      };
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBody - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size = maxBody;
          truncated = true;
          done();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', done);
      res.on('error', (err) => finish({ kind: 'failed', reason: 'network', message: err.message, ms: ms() }));
    });
    req.end(options.body);
  });
}

/** The answer's body as a value: parsed JSON when it is JSON, else the text. */
export function responseBody(text: string, headers: Record<string, string>): unknown {
  const type = headers['content-type'] ?? '';
  const looksJson = /\bjson\b/i.test(type) || /^\s*[[{]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
