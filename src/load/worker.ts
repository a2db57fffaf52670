/**
 * Worker-thread entry of a load run: builds one LoadSlice, says `ready`, runs it on `start` (so
 * every worker ramps from the same t0 however long it took to load), answers `progress` requests,
 * ends early on `stop`, and posts its `result` (or an `error`) once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LoadSlice, type SliceOptions } from './engine.js';

export type ToWorker = { kind: 'start'; startEpochMs: number } | { kind: 'progress'; summaries: boolean } | { kind: 'stop' };
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'progress'; progress: ReturnType<LoadSlice['progress']> }
  | { kind: 'result'; result: Awaited<ReturnType<LoadSlice['run']>> }
  | { kind: 'error'; message: string; code?: string; params?: Record<string, unknown> };

const port = parentPort;
if (port) {
  let slice: LoadSlice | undefined;
  try {
    slice = new LoadSlice(workerData as SliceOptions);
  } catch (err) {
    const e = err as Error & { code?: string; params?: Record<string, unknown> };
    port.postMessage({ kind: 'error', message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.params ? { params: e.params } : {}) } satisfies FromWorker);
  }
  if (slice) {
    const s = slice;
    let started = false;
    port.on('message', (message: ToWorker) => {
      if (message.kind === 'progress') port.postMessage({ kind: 'progress', progress: s.progress(message.summaries) } satisfies FromWorker);
      else if (message.kind === 'stop') s.stop();
      else if (message.kind === 'start' && !started) {
        started = true;
        s.run(message.startEpochMs).then(
          (result) => {
            port.postMessage({ kind: 'result', result } satisfies FromWorker);
            port.close();
          },
          (err: Error) => {
            port.postMessage({ kind: 'error', message: err.message } satisfies FromWorker);
            port.close();
          },
        );
      }
    });
    port.postMessage({ kind: 'ready' } satisfies FromWorker);
  }
}
