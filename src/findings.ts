/**
 * The finding codes of a conformance case: what a case's findings say happened, beside the error
 * registry (src/errors.ts), whose codes stop the tool. A finding is a fact about one case and
 * gives it a verdict; the codes are stable, so CI filters and reports can key off them. Keep
 * docs/errors.md in step: a test checks it. Wire diagnostics (`CC_WIRE_*`) have their own
 * registry in src/transport/diagnostics.ts.
 *
 * - CC_CASE_*: the case could not check its rule (ERROR), or was not run (INFORMATIONAL);
 * - CC_CHECK_*: a step's expectation was not met: a broken rule, as strong as the case's strength;
 * - CC_SCHEMA_*: a message against its schema;
 * - CC_LOAD_*: a limits check of a load run (src/load/limits.ts), reported as a case.
 */
export const FINDING_CODES = {
  CC_CASE_TIMEOUT: 'the case did not finish within its `timeout:` (ERROR)',
  CC_CASE_INTERNAL: 'the runner itself failed: a bug of chat-conform (ERROR)',
  CC_CASE_NOT_CHECKED: 'the case requires a run variable (such as admin_url) the run lacks, so it was not run (INFORMATIONAL)',
  CC_CASE_TEMPLATE: 'a template, duration, count or exact size could not be worked out when its step ran (ERROR)',
  CC_CASE_CONNECT: 'a client could not reach the target at all (ERROR)',
  CC_CASE_NOT_CONNECTED: 'a step used a client that has no connection: the case lacks a connect step (ERROR)',
  CC_CASE_NO_REQUEST: '`reply: true` before the client sent any request (ERROR)',
  CC_CASE_ABORTED: 'the case was stopped while a step waited (ERROR)',
  CC_CASE_HTTP_FAILED: 'an `http` step got no answer: refused, reset, past its deadline, or not an http(s) URL (ERROR)',
  CC_CASE_HTTP_STATUS: 'an `http` step was answered with a status it did not ask for (ERROR)',
  CC_CASE_HTTP_CAPTURE: 'the answer to an `http` step lacks a field the step captures (ERROR)',
  CC_CHECK_MISMATCH: 'a message (or a `check`ed value) differs from the step\'s `match`',
  CC_CHECK_TIMEOUT: 'the awaited message did not come within the step\'s deadline',
  CC_CHECK_CLOSED: 'the connection was closed when the step needed it open',
  CC_CHECK_WRONG_MESSAGE: 'the reply came as another message than the step names',
  CC_CHECK_NOT_NEXT: 'another message came before the one expected `next`',
  CC_CHECK_CAPTURE: 'the matched message lacks a field the step captures',
  CC_CHECK_DELIVERED_TO_NON_MEMBER: 'a client listed in `none_for` received the message',
  CC_CHECK_NOT_SILENT: 'a message arrived during `expect_none`\'s silence',
  CC_CHECK_NO_CLOSE: 'the server did not close the connection within the deadline',
  CC_CHECK_CLOSE_CODE: 'the connection closed with another close code than the step expects',
  CC_CHECK_CONNECT_REFUSED: 'the server refused a connection the step expects to be accepted',
  CC_CHECK_CONNECT_ACCEPTED: 'the server accepted a connection the step expects to be refused',
  CC_CHECK_AUTH_REFUSED: 'the authentication message was refused where the step expects success',
  CC_CHECK_AUTH_ACCEPTED: 'authentication with a deliberately bad token was accepted',
  CC_CHECK_UNEXPECTED_MESSAGE: 'a message no step expected: recorded (PASS), or a broken rule with `unexpected: fail`',
  CC_SCHEMA_INVALID: 'a message from the server fails its schema (FAIL)',
  CC_SCHEMA_SENT_INVALID: 'a message a client sent fails its schema: recorded (PASS), negative cases send them on purpose',
  CC_SCHEMA_NOT_OBJECT: 'the server sent a message that is not an object (FAIL)',
  CC_SCHEMA_NO_NAME: 'the server sent a message without the profile\'s naming field (FAIL)',
  CC_SCHEMA_UNKNOWN_MESSAGE: 'the server sent a message the spec does not define (FAIL)',
  CC_SCHEMA_EXTRA_FIELDS: 'a message from the server carries fields the spec does not define (NON-STRICT, once per message type)',
  CC_LOAD_CONNECTIONS: 'how many clients of a limits run were authenticated at once: all of them (PASS), or fewer (FAIL)',
  CC_LOAD_NOT_OBSERVED: 'a limits run was too short to watch a timer (ERROR)',
  CC_LOAD_PING: 'every client of a limits run got its PINGs within the interval (PASS)',
  CC_LOAD_PING_LATE: 'a client waited longer than the PING interval between two PINGs, or two intervals for the first (FAIL)',
  CC_LOAD_FIRST_PING_LATE: 'a client\'s first PING came later than the interval after CONNECT (assa.D5.heartbeat, capped by its class)',
  CC_LOAD_KEEPALIVE: 'clients that answered every PING stayed connected past the drop deadline (PASS)',
  CC_LOAD_KEEPALIVE_DROPPED: 'the server disconnected a client that answered every PING (FAIL)',
  CC_LOAD_SILENT_DROPPED: 'clients that never answer PING were dropped at the pong timeout (PASS)',
  CC_LOAD_SILENT_NOT_DROPPED: 'a client that never answers PING was not dropped by the PING interval plus the pong timeout, or was dropped before half the pong timeout (FAIL)',
  CC_LOAD_SILENT_DROP_TIME: 'a silent client was dropped within the seed\'s bounds but not at the pong timeout after CONNECT (assa.D5.heartbeat, capped by its class)',
  CC_LOAD_TEXT_LIMIT: 'texts of the maximum length were accepted and one character longer refused, under load (PASS)',
  CC_LOAD_TEXT_MAX_REFUSED: 'a text of exactly the maximum length was not accepted (FAIL)',
  CC_LOAD_TEXT_OVER_ACCEPTED: 'a text one character over the limit was not refused with the profile\'s code (FAIL)',
  CC_LOAD_OVERSIZE_REFUSED: 'messages one byte over the size limit were refused without disturbing the other clients (PASS)',
  CC_LOAD_OVERSIZE_FORM: 'messages over the size limit were refused, but otherwise than assa.D3.refusal says (capped by its class)',
  CC_LOAD_OVERSIZE_NOT_REFUSED: 'a message over the size limit was neither refused nor answered by a close within the response timeout (FAIL)',
  CC_LOAD_OTHERS_DISTURBED: 'while the limits were probed, other clients were disconnected or lost deliveries (FAIL)',
  CC_LOAD_STOPPED: 'the limits run was stopped early (Ctrl-C, --abort-on-fail): said on each check that did not pass (INFORMATIONAL)',
  CC_LOAD_EXAMPLES: 'examples of what went wrong in a limits run, on its first failing case (INFORMATIONAL)',
} as const satisfies Record<string, string>;

export type FindingCode = keyof typeof FINDING_CODES;
