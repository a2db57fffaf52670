import type { Command } from 'commander';
import { ccError } from '../../errors.js';

/**
 * Lists a command that a later piece of work fills, and makes it say so plainly: it accepts
 * any arguments (so the message is not hidden behind a parse error) and exits 2.
 */
export function registerNotYet(program: Command, name: string, description: string, detail: string): Command {
  return program
    .command(name)
    .description(`${description} [not available yet]`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .helpOption(false)
    .action(() => {
      throw ccError('CC_ERR_NOT_IMPLEMENTED', { command: name, detail });
    });
}
