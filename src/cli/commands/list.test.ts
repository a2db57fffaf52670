import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { packageRoot } from '../../util/paths.js';
import { list } from './list.js';

describe('chat-conform list', () => {
  it('prints id, section, strength, source and description per case of one profile', async () => {
    const io = memoryIO();
    expect(await list({ profile: 'openirc' }, io, packageRoot())).toBe(0);
    const out = io.stdout.join('\n').split('\n');
    expect(out[0]).toMatch(/^ID\s+SECTION\s+STRENGTH\s+SOURCE\s+DESCRIPTION$/);
    expect(out.find((l) => l.startsWith('openirc.rid.float '))).toMatch(/^openirc\.rid\.float\s+2\. 채팅 메세지 포맷\s+MUST\s+seed\s+a float rid is answered rid -1/);
    expect(out.find((l) => l.startsWith('openirc.rid.missing '))).toMatch(/\s+MUST\s+openirc\.D3\.rid \(reading\)\s+/);
    expect(out.find((l) => l.startsWith('openirc.events.channel-message '))).toMatch(/\s+openirc\.D5\.events \(choice\)\s+/);
    expect(out.every((l) => !l.startsWith('assa.'))).toBe(true);
    expect(out.at(-1)).toMatch(/^\d+ cases$/);
  });

  it('prints JSON with decisions, and the faults on request', async () => {
    const io = memoryIO();
    await list({ json: true }, io, packageRoot());
    const entries = JSON.parse(io.stdout.join('')) as { id: string; strength: string; decisions: string[] }[];
    expect(entries.find((e) => e.id === 'assa.5.1.broadcast-to-members')).toMatchObject({ strength: 'MUST', source: { kind: 'seed' }, decisions: ['assa.D11.broadcast', 'assa.D12.rooms'] });
    expect(entries.find((e) => e.id === 'assa.4.2.closed-room-permission-denied')).toMatchObject({ source: { kind: 'reading', decision: 'assa.D12.closed-rooms' } });
    expect(entries.find((e) => e.id === 'assa.10.1.connections-over-limit')?.strength).toBe('UNSPECIFIED');
    // Cases that need a run variable say so; the others carry no `requires`.
    expect(entries.filter((e) => 'requires' in e).map((e) => [e.id, (e as { requires?: string[] }).requires])).toEqual([
      ['assa.8.1.announcement-to-all', ['admin_url']],
      ['assa.8.1.announcement-not-before-connect', ['admin_url']],
    ]);
    const faults = memoryIO();
    await list({ faults: true, profile: 'envelope' }, faults, packageRoot());
    const text = faults.stdout.join('\n');
    expect(text).toContain('FOR TESTING THE CONFORMANCE SUITES ONLY');
    expect(text).toMatch(/envelope\.rate-limit-not-enforced\s+no rate limit/);
    expect(text).not.toContain('assa.no-ping');
  });
});
