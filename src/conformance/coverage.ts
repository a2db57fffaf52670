/**
 * Spec coverage of a conformance run: how often each message of the profiles was sent and
 * received, how often each operation was asked for, and the traffic that matched no message.
 */
import type { Profile } from '../profile/types.js';
import type { CaseResult, RunReport } from '../report/model.js';

export function coverageOf(cases: CaseResult[], profiles: Profile[]): NonNullable<RunReport['coverage']> {
  const counts = new Map<string, { sent: number; received: number }>();
  for (const p of profiles) {
    for (const m of p.messages) counts.set(`${p.name}:${m.direction}:${m.name}`, { sent: 0, received: 0 });
  }
  const ids = new Map<string, string>();
  for (const p of profiles) for (const m of p.messages) ids.set(`${p.name}:${m.direction}:${m.name}`, profiles.length > 1 ? `${p.name}:${m.id}` : m.id);
  let unmatched = 0;
  for (const c of cases) {
    for (const t of c.transcript) {
      if (t.event && t.event !== 'heartbeat') continue;
      const key = `${c.profile}:${t.direction === 'out' ? 'client' : 'server'}:${t.message ?? ''}`;
      const entry = counts.get(key);
      if (!entry) {
        unmatched += 1;
        continue;
      }
      if (t.direction === 'out') entry.sent += 1;
      else entry.received += 1;
    }
  }
  // An operation counts once per request of it that was sent.
  const operations = profiles.flatMap((p) => p.operations.map((op) => {
    const request = p.messages.find((m) => m.id === op.request);
    const sent = request ? (counts.get(`${p.name}:${request.direction}:${request.name}`)?.sent ?? 0) : 0;
    return { id: profiles.length > 1 ? `${p.name}:${op.id}` : op.id, count: sent };
  }));
  return {
    messages: [...counts.entries()].map(([key, v]) => ({ id: ids.get(key) ?? key, sent: v.sent, received: v.received })),
    unmatched,
    operations,
  };
}
