/** Shared helpers for the reference server's tests. */
import { expect } from 'vitest';
import type { Msg } from './client.js';

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let nextUser = 1000;
/** A user id no other test has used in this process (membership outlives connections). */
export function freshUser(): number {
  return nextUser++;
}

/** Asserts a successful `<action>_RESPONSE` echoing `seq_id`, and returns its data. */
export function expectSuccess(reply: Msg, action: string): Record<string, unknown> {
  expect(reply, JSON.stringify(reply)).toMatchObject({ action: `${action}_RESPONSE`, success: true });
  expect(typeof reply.message).toBe('string');
  expect(reply.timestamp).toMatch(ISO_MS);
  expect(reply.error_code).toBeUndefined();
  return reply.data as Record<string, unknown>;
}

/** Asserts a refused `<action>_RESPONSE` with `code` (assa.D8 form for attributable requests). */
export function expectFailure(reply: Msg, action: string, code: string): void {
  expect(reply, JSON.stringify(reply)).toMatchObject({ action: `${action}_RESPONSE`, success: false, error_code: code });
  expect(typeof reply.message).toBe('string');
  expect(reply.timestamp).toMatch(ISO_MS);
}

/** Asserts an ERROR message with `code` (assa.D8 form for unattributable messages). */
export function expectError(reply: Msg, code: string, originalAction?: string): void {
  expect(reply, JSON.stringify(reply)).toMatchObject({ action: 'ERROR', success: false, error_code: code });
  expect(reply.timestamp).toMatch(ISO_MS);
  expect(typeof reply.seq_id).toBe('string');
  const data = reply.data as Record<string, unknown>;
  expect(typeof data.error_details).toBe('string');
  if (originalAction !== undefined) expect(data.original_action).toBe(originalAction);
}
