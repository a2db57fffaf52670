import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';

/** `chat-conform list`: the catalogue of the bundled conformance cases. */
export interface ListOptions {
  profile?: 'assa' | 'envelope' | 'openirc';
  json?: boolean;
  /** Print docs/conformance.md (catalogue, faults, mutation score) instead. */
  markdown?: boolean;
  /** Print the reference server's test faults instead (for `serve --fault`). */
  faults?: boolean;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

export async function list(options: ListOptions, io: CliIO, packageRoot: string): Promise<number> {
  const { loadCatalogue, sourceLabel } = await import('../../conformance/catalogue.js');
  if (options.faults) {
    const { listFaults } = await import('../../conformance/mutation.js');
    const faults = (await listFaults()).filter((f) => !options.profile || f.protocol === options.profile || f.protocol === 'all');
    if (options.json) io.out(JSON.stringify(faults, null, 2));
    else {
      const width = Math.max(...faults.map((f) => f.name.length)) + 2;
      io.out('Faults of the reference server, FOR TESTING THE CONFORMANCE SUITES ONLY (chat-conform serve --fault NAME):');
      for (const f of faults) io.out(`  ${pad(f.name, width)}${f.description}`);
    }
    return 0;
  }
  if (options.markdown) {
    const [{ renderConformanceDoc }, { listFaults, readMutationScore }] = await Promise.all([import('../../conformance/docs.js'), import('../../conformance/mutation.js')]);
    io.out(renderConformanceDoc(loadCatalogue(packageRoot), await listFaults(), readMutationScore(packageRoot)).trimEnd());
    return 0;
  }
  const catalogue = loadCatalogue(packageRoot, options.profile);
  if (options.json) {
    io.out(JSON.stringify(catalogue.map((c) => ({ id: c.id, profile: c.profile, sections: c.sections, strength: c.strength, description: c.description, source: c.source, decisions: c.decisions, tags: c.tags, ...(c.transports ? { transports: c.transports } : {}), ...(c.requires ? { requires: c.requires } : {}) })), null, 2));
    return 0;
  }
  const idWidth = Math.max(4, ...catalogue.map((c) => c.id.length)) + 2;
  const sectionWidth = Math.max(9, ...catalogue.map((c) => c.sections.join(',').length)) + 2;
  const sourceWidth = Math.max(6, ...catalogue.map((c) => sourceLabel(c.source).length)) + 2;
  io.out(`${pad('ID', idWidth)}${pad('SECTION', sectionWidth)}${pad('STRENGTH', 13)}${pad('SOURCE', sourceWidth)}DESCRIPTION`);
  for (const c of catalogue) io.out(`${pad(c.id, idWidth)}${pad(c.sections.join(','), sectionWidth)}${pad(c.strength, 13)}${pad(sourceLabel(c.source), sourceWidth)}${c.description}`);
  io.out(`${catalogue.length} cases`);
  return 0;
}

export function register(program: Command, ctx: CliContext): Command {
  return program
    .command('list')
    .description('print the catalogue of the bundled conformance cases (id, section, strength, source, description)')
    .addOption(new Option('--profile <name>', 'only this profile\'s suite').choices(['assa', 'envelope', 'openirc']))
    .option('--json', 'as JSON (adds decisions, tags, transports and required run variables such as admin_url)')
    .addOption(new Option('--markdown', 'print docs/conformance.md (catalogue, faults, mutation score)').conflicts(['json', 'faults']))
    .option('--faults', 'list the reference server\'s faults (for testing the suites only) instead')
    .action(async (opts: ListOptions) => {
      ctx.setExitCode(await list(opts, ctx.io, ctx.packageRoot));
    });
}
