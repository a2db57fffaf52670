import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { register as registerRun } from './run.js';
import { register as registerLoad } from './load.js';
import { register as registerCapacity } from './capacity.js';
import { register as registerValidate } from './validate.js';
import { register as registerSchemas } from './schemas.js';
import { register as registerProfiles } from './profiles.js';
import { register as registerReport } from './report.js';
import { register as registerProbe } from './probe.js';
import { register as registerServe } from './serve.js';
import { register as registerToken } from './token.js';
import { register as registerList } from './list.js';

export type RegisterCommand = (program: Command, ctx: CliContext) => Command;

/**
 * The command table, in the order `--help` lists them. Each module registers its flags and
 * lazily imports the library function that does the work.
 */
export const COMMANDS: RegisterCommand[] = [
  registerRun,
  registerLoad,
  registerCapacity,
  registerServe,
  registerToken,
  registerProbe,
  registerValidate,
  registerSchemas,
  registerProfiles,
  registerList,
  registerReport,
];
