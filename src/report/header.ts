import { REPORT_VERSION, type RunReport } from './model.js';
import { toolVersion } from '../util/version.js';

/** The fields every report opens with, whichever command produced it. */
export function reportHeader(
  command: RunReport['command'],
  startedAt: Date,
  finishedAt: Date,
  target: RunReport['target'],
  profile: string,
  version: string = toolVersion(),
): Pick<RunReport, 'reportVersion' | 'tool' | 'command' | 'startedAt' | 'finishedAt' | 'durationMs' | 'target' | 'profile'> {
  return {
    reportVersion: REPORT_VERSION,
    tool: { name: 'chat-conform', version },
    command,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    target,
    profile,
  };
}
