/** OpenIRC helpers for the reference server's tests: the HTTP login and MessagePack requests. */
import { encode } from '@msgpack/msgpack';
import type { Msg, TestClient } from './client.js';

/** `POST /login/` with `body`; the status and the JSON answer. */
export async function openIrcLogin(httpUrl: string, body: unknown): Promise<{ status: number; body: Msg }> {
  const res = await fetch(`${httpUrl}/login/`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as Msg };
}

export const sendMsgpack = (c: TestClient, request: unknown): void => c.send(Buffer.from(encode(request)));

export const channel = (name: string): { connid: number; kind: string; name: string } => ({ connid: 1, kind: 'channel', name });

/** Sends a request and resolves its reply (same rid, or rid -1). */
export async function call(c: TestClient, request: Record<string, unknown>): Promise<Msg> {
  sendMsgpack(c, request);
  return c.next((m) => m.rid === request.rid || m.rid === -1);
}
