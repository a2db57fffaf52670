import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { strongestVerdictFor, strongestVerdictForSources } from '../../conformance/verdict.js';
import { ccError } from '../../errors.js';
import type { Direction, Profile } from '../../profile/types.js';
import { verdictRank } from '../../report/run-summary.js';
import type { Verdict } from '../../report/model.js';
import type { DecisionPolicy } from '../../spec/source.js';
import { outcomeSources, type ValidationOutcome } from '../../spec/validator.js';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';
import { profileArg } from '../options.js';

export interface ValidateOptions {
  /** Loaded by profileArg. */
  profile: Profile;
  /** A file path, or `-` for standard input. */
  file: string;
  message?: string;
  direction?: Direction;
  json?: boolean;
  /** Standard input as text (tests pass it; the CLI reads the process's). */
  stdin?: () => Promise<string>;
}

export interface ValidatedInput {
  label: string;
  /** One outcome per direction tried (two when a name exists both ways and no --direction was given), with the strongest verdict its deviations may get. */
  outcomes: { direction: Direction; outcome: ValidationOutcome; verdict: Verdict }[];
  /** The verdict of the direction that fits best: PASS, NON-STRICT, INFORMATIONAL or FAIL. */
  verdict: Verdict;
  /** Not FAIL in at least one direction tried: only a deviation from the seed (or, under `decisionPolicy: enforce`, from a decision) makes a message invalid. */
  valid: boolean;
}

export interface ValidateSummary {
  total: number;
  valid: number;
  invalid: number;
  /** Valid inputs whose strongest deviation is NON-STRICT (a reading, or lenient) or INFORMATIONAL (a choice). */
  nonStrict: number;
  informational: number;
  inputs: ValidatedInput[];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function readInput(options: ValidateOptions): Promise<string> {
  if (options.file === '-') return (options.stdin ?? readStdin)();
  try {
    return Promise.resolve(readFileSync(options.file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw ccError('CC_ERR_FILE_NOT_FOUND', { path: options.file, reason: code === 'ENOENT' ? 'no such file' : (err as Error).message });
  }
}

/** The strongest verdict an outcome's deviations may get under the profile's policy; PASS when it has none. */
function verdictOf(outcome: ValidationOutcome, policy: DecisionPolicy): Verdict {
  return strongestVerdictForSources(outcomeSources(outcome), policy);
}

function render(label: string, direction: Direction, outcome: ValidationOutcome, namingField: string, policy: DecisionPolicy): string[] {
  switch (outcome.kind) {
    case 'not-object':
      return [`${label}: invalid: not a JSON object (found ${outcome.actual})`];
    case 'no-name':
      return [`${label}: invalid: no ${JSON.stringify(namingField)} field naming the message (found ${outcome.actual})`];
    case 'unknown-name': {
      const other = outcome.otherDirections.length ? ` (it is a ${outcome.otherDirections.join(' and ')} message: pass --direction)` : '';
      const verdict = verdictOf(outcome, policy);
      const why = outcome.source === 'choice' ? 'the profile leaves server messages open' : 'the profile defines every server message';
      const note = verdict === 'FAIL' && outcome.source === 'seed' ? '' : `, ${verdict} (${outcome.source}: ${why})`;
      return [`${label}: matches none: no ${direction} message is named ${JSON.stringify(outcome.name)}${other}${note}`];
    }
    case 'valid':
    case 'invalid': {
      const head = `${label}: ${outcome.message.name} (${direction}): ${verdictOf(outcome, policy) === 'FAIL' ? 'invalid' : 'valid'}`;
      const extras = outcome.extras.length ? `NON-STRICT: fields the spec does not define: ${outcome.extras.join(', ')}` : undefined;
      if (outcome.kind === 'valid') return extras ? [`${head}, ${extras}`] : [head];
      const lines = [head];
      for (const e of outcome.errors) {
        // A deviation from the seed is the plain violation; any other says what it may conclude and why.
        const note = e.source === 'seed' ? '' : `${strongestVerdictFor(e.source, policy)} (${e.source}: ${e.rule}): `;
        lines.push(`  ${e.pointer || '/'}: ${note}${e.keyword}: expected ${e.expected}, found ${e.actual}`);
      }
      if (extras) lines.push(`  ${extras}`);
      return lines;
    }
  }
}

/** The outcome that fits best decides an input's verdict (SDP is valid if one direction accepts it). */
function bestVerdict(verdicts: Verdict[]): Verdict {
  return verdicts.reduce((best, v) => (verdictRank(v) > verdictRank(best) ? v : best), 'FAIL' as Verdict);
}

/**
 * `chat-conform validate`: names the message each input matched and prints each violation with
 * its JSON pointer, what was expected and what was found. A deviation's source caps what it may
 * conclude (src/conformance/verdict.ts): only one that FAILs (the seed's, or a decision's under
 * `decisionPolicy: enforce`) makes a message invalid; the others are printed as NON-STRICT or
 * INFORMATIONAL notes with their rule and counted apart. Returns the tally; the command exits 1
 * (CC_ERR_INVALID_MESSAGES) when any input is invalid.
 */
export async function validateCommand(options: ValidateOptions, io: CliIO): Promise<ValidateSummary> {
  const { getValidator } = await import('../../profile/validator.js');
  const { parseMessages } = await import('../../spec/input.js');
  const profile = options.profile;
  const validator = getValidator(profile);
  if (options.message !== undefined) {
    const dirs = validator.directionsOf(options.message);
    if (dirs.length === 0 || (options.direction && !dirs.includes(options.direction))) {
      throw ccError('CC_ERR_UNKNOWN_MESSAGE', { profile: profile.name, direction: options.direction ?? 'client or server', name: options.message });
    }
  }
  const source = options.file === '-' ? '<stdin>' : options.file;
  const inputs = parseMessages(await readInput(options), source);
  const results: ValidatedInput[] = [];
  for (const input of inputs) {
    let directions: Direction[];
    if (options.direction) directions = [options.direction];
    else if (options.message !== undefined) directions = validator.directionsOf(options.message);
    else {
      const name = typeof input.value === 'object' && input.value !== null ? (input.value as Record<string, unknown>)[profile.namingField] : undefined;
      const found = typeof name === 'string' ? validator.directionsOf(name) : [];
      directions = found.length > 0 ? found : ['client'];
    }
    const outcomes = directions.map((direction) => {
      const outcome = options.message !== undefined ? validator.validateAs(direction, options.message, input.value) : validator.validate(direction, input.value);
      return { direction, outcome, verdict: verdictOf(outcome, profile.decisionPolicy) };
    });
    const verdict = bestVerdict(outcomes.map((o) => o.verdict));
    // A name no direction knows is "matches none" once, not once per direction.
    if (!options.direction && options.message === undefined && outcomes.length === 1 && outcomes[0]?.outcome.kind === 'unknown-name') {
      const o = outcomes[0].outcome;
      if (o.kind === 'unknown-name' && o.otherDirections.length === 0) {
        io.out(`${input.label}: matches none: profile ${profile.name} has no message named ${JSON.stringify(o.name)}`);
        results.push({ label: input.label, outcomes, verdict, valid: verdict !== 'FAIL' });
        continue;
      }
    }
    results.push({ label: input.label, outcomes, verdict, valid: verdict !== 'FAIL' });
    if (!options.json) for (const o of outcomes) for (const line of render(input.label, o.direction, o.outcome, profile.namingField, profile.decisionPolicy)) io.out(line);
  }
  const summary: ValidateSummary = {
    total: results.length,
    valid: results.filter((r) => r.valid).length,
    invalid: results.filter((r) => !r.valid).length,
    nonStrict: results.filter((r) => r.verdict === 'NON-STRICT').length,
    informational: results.filter((r) => r.verdict === 'INFORMATIONAL').length,
    inputs: results,
  };
  if (options.json) {
    io.out(JSON.stringify({
      profile: profile.name,
      decisionPolicy: profile.decisionPolicy,
      total: summary.total,
      valid: summary.valid,
      invalid: summary.invalid,
      nonStrict: summary.nonStrict,
      informational: summary.informational,
      inputs: results.map((r) => ({
        input: r.label,
        valid: r.valid,
        verdict: r.verdict,
        results: r.outcomes.map(({ direction, outcome, verdict }) => ({
          direction,
          verdict,
          ...('message' in outcome ? { ...outcome, message: outcome.message.name } : outcome),
        })),
      })),
    }, null, 2));
  } else {
    const notes = [summary.nonStrict ? `${summary.nonStrict} NON-STRICT` : '', summary.informational ? `${summary.informational} INFORMATIONAL` : ''].filter(Boolean).join(', ');
    io.out(`${summary.total} message${summary.total === 1 ? '' : 's'}: ${summary.valid} valid${notes ? ` (${notes})` : ''}, ${summary.invalid} invalid`);
  }
  return summary;
}

function directionArg(value: string): Direction {
  if (value !== 'client' && value !== 'server') throw new InvalidArgumentError('expected client (client → server) or server (server → client)');
  return value;
}

export function register(program: Command, ctx: CliContext): Command {
  return program
    .command('validate')
    .description('validate JSON or NDJSON messages against a profile\'s generated schemas')
    .argument('<file>', 'a JSON file (one message, or an array of messages), an NDJSON file (one message a line), or - for stdin')
    .requiredOption('--profile <name|path>', 'the profile: assa, envelope, openirc, or the path of an AsyncAPI 3.0 document', profileArg)
    .option('--message <name>', 'validate every input as this message, whatever its naming field says')
    .option('--direction <client|server>', 'who sent the messages: client (client → server) or server (server → client); default: the direction the name is declared in', directionArg)
    .option('--json', 'print the results as JSON')
    .action(async (file: string, opts: { profile: Profile; message?: string; direction?: Direction; json?: boolean }) => {
      const summary = await validateCommand({ file, profile: opts.profile, message: opts.message, direction: opts.direction, json: opts.json === true }, ctx.io);
      if (summary.invalid > 0) throw ccError('CC_ERR_INVALID_MESSAGES', { count: summary.invalid, total: summary.total });
    });
}
