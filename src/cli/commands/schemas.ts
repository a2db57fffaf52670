import type { Command } from 'commander';
import { isAbsolute, relative } from 'node:path';
import { ccError } from '../../errors.js';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';

export interface SchemasOptions {
  /** Profile names or document paths; all bundled profiles when empty. */
  profiles?: string[];
  /** Base for the paths printed (the package root). */
  root: string;
}

function display(root: string, path: string): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function selected(names: string[] | undefined) {
  const { listProfiles, loadProfile } = await import('../../profile/load.js');
  return (names && names.length > 0 ? names : listProfiles()).map((name) => loadProfile(name));
}

/** Refuses a document that is not valid AsyncAPI 3.0 (when @asyncapi/specs is installed); says when it could not check. */
async function checkDocuments(profiles: Awaited<ReturnType<typeof selected>>, io: CliIO, root: string): Promise<void> {
  const { checkAsyncApi } = await import('../../spec/asyncapi-schema.js');
  const { profileSources } = await import('../../profile/load.js');
  for (const profile of profiles) {
    const issues = checkAsyncApi(profileSources(profile).doc);
    if (issues === undefined) {
      io.err(`chat-conform: note: @asyncapi/specs is not installed, so ${display(root, profile.specPath)} was not checked against the AsyncAPI 3.0 JSON Schema`);
      continue;
    }
    if (issues.length > 0) {
      const detail = issues.slice(0, 3).map((i) => `${i.pointer}: ${i.message}`).join('; ') + (issues.length > 3 ? ` (and ${issues.length - 3} more)` : '');
      throw ccError('CC_ERR_SPEC_INVALID', { path: display(root, profile.specPath), detail });
    }
  }
}

/** `chat-conform schemas build`: writes every profile's generated/ folder. */
export async function schemasBuild(options: SchemasOptions, io: CliIO): Promise<void> {
  const { buildProfileSchemas, generateProfileFiles } = await import('../../spec/build.js');
  const { schemaSetOf } = await import('../../profile/load.js');
  const profiles = await selected(options.profiles);
  await checkDocuments(profiles, io, options.root);
  for (const profile of profiles) {
    const set = schemaSetOf(profile);
    const total = generateProfileFiles(set).size;
    const result = buildProfileSchemas(set);
    io.out(`${profile.name}: ${total} files in ${display(options.root, profile.generatedDir)}, ${result.written.length} written, ${result.removed.length} removed`);
  }
}

/** `chat-conform schemas check`: exit 1 (CC_ERR_SCHEMA_DRIFT) when the committed files differ from what the documents produce. */
export async function schemasCheck(options: SchemasOptions, io: CliIO): Promise<void> {
  const { checkProfileSchemas, describeDrift, hasDrift } = await import('../../spec/build.js');
  const { schemaSetOf } = await import('../../profile/load.js');
  const profiles = await selected(options.profiles);
  await checkDocuments(profiles, io, options.root);
  const results = profiles.map((p) => checkProfileSchemas(schemaSetOf(p)));
  const drifted = results.filter(hasDrift);
  if (drifted.length > 0) {
    const dirOf = new Map(profiles.map((p) => [p.name, display(options.root, p.generatedDir)]));
    throw ccError('CC_ERR_SCHEMA_DRIFT', { detail: describeDrift(drifted, (name) => dirOf.get(name) ?? name) });
  }
  for (const profile of profiles) io.out(`${profile.name}: generated schemas match ${display(options.root, profile.specPath)}`);
}

function collectProfile(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function register(program: Command, ctx: CliContext): Command {
  const schemas = program.command('schemas').description('build or check the JSON Schemas generated from the AsyncAPI specs');
  const subcommands: [string, string, typeof schemasBuild][] = [
    ['build', "write schemas/<profile>/generated/ from each profile's asyncapi.yaml", schemasBuild],
    ['check', 'exit 1 when the generated schemas differ from what the specs produce (drift)', schemasCheck],
  ];
  for (const [name, description, run] of subcommands) {
    schemas
      .command(name)
      .description(description)
      .option('--profile <name|path>', 'a profile name or AsyncAPI document (repeatable; default: every bundled profile)', collectProfile)
      .action(async (opts: { profile?: string[] }) => {
        await run({ profiles: opts.profile, root: ctx.packageRoot }, ctx.io);
      });
  }
  // Without a subcommand commander would print help and exit 0; a missing subcommand is a usage error.
  schemas.action(() => {
    throw ccError('CC_ERR_USAGE', { detail: '`chat-conform schemas` needs a subcommand: build or check' });
  });
  return schemas;
}
