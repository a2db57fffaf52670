/**
 * The one error registry. Every error a user can see has a stable `CC_ERR_*` code, a message
 * template and an exit code; `src/cli/exit.ts` is the only place that turns them into process exits.
 * Add new codes here (never inline strings elsewhere), and keep docs/errors.md in step: a test checks it.
 */

export type ExitCode = 0 | 1 | 2;

interface ErrorDef {
  /** `{name}` placeholders are filled from the params. */
  readonly template: string;
  /** What the user should do next; shown after the message. */
  readonly hint?: string;
  readonly exit: ExitCode;
}

export const ERROR_CODES = {
  // Usage and configuration: exit 2.
  CC_ERR_USAGE: { template: '{detail}', hint: 'see `chat-conform --help`', exit: 2 },
  CC_ERR_BAD_FLAG: { template: 'invalid value {value} for {flag}: {reason}', hint: 'see `chat-conform {command} --help`', exit: 2 },
  CC_ERR_BAD_DURATION: { template: 'invalid duration {value}: expected a number with a unit such as 300ms, 30s, 5m or 1h', exit: 2 },
  CC_ERR_BAD_SIZE: { template: 'invalid size {value}: expected bytes or a number with a unit such as 512KiB, 1MiB or 1MB', exit: 2 },
  CC_ERR_NOT_IMPLEMENTED: { template: '`chat-conform {command}` is not available yet ({detail})', hint: 'see the README for the commands that work today', exit: 2 },
  CC_ERR_FILE_NOT_FOUND: { template: 'cannot read {path}: {reason}', hint: 'check the path', exit: 2 },
  CC_ERR_FILE_WRITE: { template: 'cannot write {path}: {reason}', exit: 2 },
  CC_ERR_UNKNOWN_PROFILE: { template: 'unknown profile {profile}', hint: 'known profiles: {known}; or pass the path of an AsyncAPI 3.0 document', exit: 2 },
  CC_ERR_UNKNOWN_MESSAGE: { template: 'profile {profile} has no {direction} message named {name}', hint: 'run `chat-conform profiles --messages {profile}` to list them', exit: 2 },
  CC_ERR_SPEC_YAML: { template: '{path}:{line}:{column}: invalid YAML: {reason}', exit: 2 },
  CC_ERR_SPEC_NOT_ASYNCAPI3: { template: '{path} is not an AsyncAPI 3.0 document ({reason})', hint: 'chat-conform reads AsyncAPI 3.0.x documents with `asyncapi: 3.0.0` at the top', exit: 2 },
  CC_ERR_SPEC_INVALID: { template: '{path} is not valid AsyncAPI 3.0: {detail}', exit: 2 },
  CC_ERR_SPEC_EXTENSION: { template: '{path}: invalid x-chat-conform extension: {detail}', hint: 'see docs/profiles.md for the extension format', exit: 2 },
  CC_ERR_SPEC_REF: { template: '{path}: cannot resolve $ref {ref}', exit: 2 },
  CC_ERR_SCHEMA_COMPILE: { template: 'cannot compile the schema of {message}: {reason}', exit: 2 },
  CC_ERR_INPUT_PARSE: { template: '{source}:{line}: not JSON: {reason}', exit: 2 },
  CC_ERR_SCENARIO_YAML: { template: '{path}:{line}:{column}: invalid YAML: {reason}', exit: 2 },
  CC_ERR_SCENARIO_INVALID: { template: '{path}:{line}:{column}: {reason}', hint: '{hint}', exit: 2 },
  CC_ERR_NO_SCENARIOS: { template: 'no scenarios match {pattern}', hint: 'check the paths, --grep and --tag', exit: 2 },
  CC_ERR_JWT_KEY: { template: 'cannot use the JWT key {source}: {reason}', exit: 2 },
  CC_ERR_BAD_TARGET: { template: 'invalid target {target}: {reason}', hint: 'use ws://, wss://, tcp://, tcp+lp:// or tls:// with a host and port', exit: 2 },
  CC_ERR_BAD_OPTION: { template: 'invalid value {value} for {option}: {reason}', exit: 2 },
  CC_ERR_BAD_THRESHOLD: { template: 'invalid threshold {expression} ({origin}): {reason}', hint: '{hint}', exit: 2 },

  // The target: exit 2 (the run could not happen).
  CC_ERR_CONNECT: { template: 'cannot connect to {target}: {reason}', hint: 'is the server running and listening there?', exit: 2 },
  CC_ERR_TARGET_REFUSED: { template: '{target} was reached but refused: {reason}', hint: '{hint}', exit: 2 },
  CC_ERR_LISTEN: { template: 'cannot listen on {address}: {reason}', hint: 'choose another port, or 0 for any free one', exit: 2 },

  // Transport (src/transport/): the target was reached but the connection could not be used.
  CC_ERR_TLS: { template: 'TLS with {target} failed: {reason}', hint: 'pass --insecure to accept a self-signed certificate', exit: 2 },
  CC_ERR_HANDSHAKE: { template: '{target} failed the WebSocket handshake: {reason}', hint: 'run `chat-conform probe {target}` to see the exchange', exit: 1 },
  CC_ERR_CONNECTION_CLOSED: { template: 'cannot {action}: the connection to {target} is closed', exit: 1 },

  // Verdicts: exit 1.
  CC_ERR_SCHEMA_DRIFT: { template: 'generated schemas differ from the spec: {detail}', hint: 'run `chat-conform schemas build` and commit the result', exit: 1 },
  CC_ERR_INVALID_MESSAGES: { template: '{count} of {total} messages are invalid', exit: 1 },
  CC_ERR_VERDICT_FAIL: { template: '{detail}', exit: 1 },

  // Reports (src/report, src/reporters, `chat-conform report`).
  CC_ERR_REPORT_INVALID: { template: '{path} is not a chat-conform report: {detail}', hint: 'pass a report.json written by `chat-conform run`, `load` or `capacity`', exit: 2 },
  CC_ERR_REPORT_MERGE: { template: 'cannot merge the reports: {reason}', hint: 'merge only shards of the same command and profile', exit: 2 },
  CC_ERR_UNKNOWN_REPORTER: { template: 'unknown reporter {name}', hint: 'known reporters: {known}; or pass the path of a reporter module', exit: 2 },
  CC_ERR_REPORTER_LOAD: { template: 'cannot load the reporter module {path}: {reason}', hint: 'the module must export a Reporter, a factory or a class as its default export', exit: 2 },

  CC_ERR_INTERNAL: { template: 'internal error: {detail}', hint: 'rerun with --debug and report it', exit: 2 },
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CcError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly params: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, params: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    const def: ErrorDef = ERROR_CODES[code];
    super(fill(def.template, params), options);
    this.name = 'CcError';
    this.code = code;
    this.exitCode = def.exit;
    this.hint = def.hint === undefined ? undefined : fill(def.hint, params);
    this.params = params;
  }
}

/** Shorthand so call sites read `throw ccError('CC_ERR_…', {...})`. */
export function ccError(code: ErrorCode, params: Record<string, unknown> = {}, options?: { cause?: unknown }): CcError {
  return new CcError(code, params, options);
}

export function isCcError(err: unknown): err is CcError {
  return err instanceof CcError;
}

function fill(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = params[key];
    return value === undefined ? whole : String(value);
  });
}
