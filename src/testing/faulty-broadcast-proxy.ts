/**
 * A test server for the load engine: an NDJSON TCP proxy in front of a real ASSA server (the
 * reference server) that breaks broadcast delivery on purpose and counts exactly what it broke.
 * Counted over every NEW_MESSAGE line it passes to any client (n = 1, 2, ...):
 * - dropEvery k: line n with n % k == 0 is not delivered (a lost broadcast);
 * - duplicateEvery k: the line is written twice (a duplicate);
 * - reorderEvery k: the line is held back and written right after the next NEW_MESSAGE from the
 *   same sender to the same client (a reordering); if none comes within `holdMs` it is written
 *   late but still in order, and not counted.
 * Also: `swallowPings` hides the server's PINGs (clients cannot answer them), and `kick` closes
 * the first N client connections once, `kickAfterMs` after they open (reconnection tests).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface BroadcastFaults {
  dropEvery?: number;
  duplicateEvery?: number;
  reorderEvery?: number;
  holdMs?: number;
  swallowPings?: boolean;
  kick?: number;
  kickAfterMs?: number;
}

export interface FaultCounts {
  broadcasts: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  releasedLate: number;
  /** Held back and still unwritten when the connection ended: lost, though not dropped on purpose. */
  stranded: number;
  pingsSwallowed: number;
  kicked: number;
}

export interface FaultyProxy {
  /** tcp://127.0.0.1:port */
  url: string;
  readonly counts: FaultCounts;
  close(): Promise<void>;
}

const BROADCAST = '"action":"NEW_MESSAGE"';
const PING = '"action":"PING"';

function senderOf(line: string): string {
  try {
    const value = JSON.parse(line) as { data?: { user?: { user_id?: unknown } } };
    return String(value.data?.user?.user_id ?? '?');
  } catch {
    return '?';
  }
}

export async function startFaultyBroadcastProxy(upstream: string, faults: BroadcastFaults): Promise<FaultyProxy> {
  const target = new URL(upstream);
  const counts: FaultCounts = { broadcasts: 0, dropped: 0, duplicated: 0, reordered: 0, releasedLate: 0, stranded: 0, pingsSwallowed: 0, kicked: 0 };
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let opened = 0;

  const server = net.createServer((client) => {
    sockets.add(client);
    const up = net.connect(Number(target.port), target.hostname);
    sockets.add(up);
    const held = new Map<string, { line: string; timer: NodeJS.Timeout }>();
    let buffer = '';
    const end = (): void => {
      for (const h of held.values()) {
        clearTimeout(h.timer);
        counts.stranded++;
      }
      held.clear();
      client.destroy();
      up.destroy();
      sockets.delete(client);
      sockets.delete(up);
    };
    client.on('error', end);
    up.on('error', end);
    client.on('close', end);
    up.on('close', end);
    client.pipe(up);

    const write = (line: string): void => {
      if (!client.destroyed) client.write(`${line}\n`);
    };
    const onLine = (line: string): void => {
      if (faults.swallowPings && line.includes(PING)) {
        counts.pingsSwallowed++;
        return;
      }
      if (!line.includes(BROADCAST)) return write(line);
      const n = ++counts.broadcasts;
      if (faults.dropEvery && n % faults.dropEvery === 0) {
        counts.dropped++;
        return;
      }
      const sender = senderOf(line);
      if (faults.reorderEvery && n % faults.reorderEvery === 0 && !held.has(sender)) {
        const timer = setTimeout(() => {
          held.delete(sender);
          counts.releasedLate++;
          write(line);
        }, faults.holdMs ?? 200);
        held.set(sender, { line, timer });
        return;
      }
      write(line);
      if (faults.duplicateEvery && n % faults.duplicateEvery === 0) {
        counts.duplicated++;
        write(line);
      }
      const waiting = held.get(sender);
      if (waiting) {
        clearTimeout(waiting.timer);
        held.delete(sender);
        counts.reordered++;
        write(waiting.line);
      }
    };
    up.setEncoding('utf8');
    up.on('data', (chunk: string) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
      }
    });
    if (faults.kick && opened++ < faults.kick) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!client.destroyed) {
          counts.kicked++;
          end();
        }
      }, faults.kickAfterMs ?? 500);
      timers.add(t);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `tcp://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
