import type { Command } from 'commander';
import type { Profile } from '../../profile/types.js';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';

export interface ProfilesOptions {
  /** Profile names or document paths; all bundled profiles when empty. */
  names?: string[];
  messages?: boolean;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

/** `chat-conform profiles`: one line per profile (transport, codec, message count), optionally its messages. */
export async function profilesCommand(options: ProfilesOptions, io: CliIO): Promise<Profile[]> {
  const { listProfiles, loadProfile } = await import('../../profile/load.js');
  const names = options.names && options.names.length > 0 ? options.names : listProfiles();
  const profiles = names.map((name) => loadProfile(name));
  const nameWidth = Math.max(8, ...profiles.map((p) => p.name.length + 2));
  io.out(`${pad('PROFILE', nameWidth)}${pad('TRANSPORTS', 12)}${pad('CODEC', 9)}${pad('MESSAGES', 10)}TITLE`);
  for (const p of profiles) {
    io.out(`${pad(p.name, nameWidth)}${pad(p.transports.join(','), 12)}${pad(p.codec, 9)}${pad(String(p.messages.length), 10)}${p.title} ${p.version}`);
    if (!options.messages) continue;
    const width = Math.max(...p.messages.map((m) => m.name.length)) + 2;
    for (const m of p.messages) {
      const notes = [m.specSection, m.explicitOnly ? `no ${p.namingField}: checked only with --message` : undefined].filter(Boolean).join('; ');
      io.out(`  ${pad(m.direction, 8)}${pad(m.name, width)}${notes}`);
    }
  }
  return profiles;
}

export function register(program: Command, ctx: CliContext): Command {
  return program
    .command('profiles')
    .description('list the protocol profiles with their transports, codec and number of messages')
    .argument('[profiles...]', 'profile names or AsyncAPI document paths (default: every bundled profile)')
    .option('--messages', 'also list each profile\'s messages by direction')
    .action(async (names: string[], opts: { messages?: boolean }) => {
      await profilesCommand({ names, messages: opts.messages === true }, ctx.io);
    });
}
