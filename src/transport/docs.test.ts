import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { WIRE_DIAGNOSTICS } from './diagnostics.js';

describe('docs/transports.md', () => {
  it('lists every wire diagnostic with its section, and nothing the registry lacks', () => {
    const doc = readFileSync(join(packageRoot(), 'docs', 'transports.md'), 'utf8');
    const rows = new Map([...doc.matchAll(/^\| `(CC_WIRE_[A-Z0-9_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], (m[2] as string).trim()]));
    for (const [code, def] of Object.entries(WIRE_DIAGNOSTICS)) expect(rows.get(code), code).toBe(def.section);
    expect([...rows.keys()].sort()).toEqual(Object.keys(WIRE_DIAGNOSTICS).sort());
  });
});
