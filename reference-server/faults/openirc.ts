/** Faults of OpenIRC (seed 001), FOR TESTING THE CONFORMANCE SUITES ONLY (see hooks.ts). */
import type { FaultDef, Msg } from './hooks.js';

export const OPENIRC_FAULTS: readonly FaultDef[] = [
  {
    name: 'openirc.rid-not-echoed', protocol: 'openirc', breaks: 'seed',
    description: 'replies carry the request\'s rid plus one',
    outbound: (m) => (typeof m.rid === 'number' && m.rid >= 0 ? { ...m, rid: m.rid + 1 } : m),
  },
  {
    name: 'openirc.given-rid-missing', protocol: 'openirc', breaks: 'seed',
    description: 'a reply with rid -1 leaves out given_rid',
    outbound: (m) => {
      if (m.rid !== -1) return m;
      const { given_rid: _drop, ...rest } = m;
      return rest;
    },
  },
  {
    name: 'openirc.wrong-context-path', protocol: 'openirc', breaks: 'openirc.D4.context',
    description: 'invalid_type contexts drop the parent path (connid instead of target.connid)',
    outbound: (m) => (Array.isArray(m.list) ? { ...m, list: (m.list as Msg[]).map((e) => (typeof e.context === 'string' ? { ...e, context: e.context.split('.').pop() } : e)) } : m),
  },
  {
    name: 'openirc.given-type-wrong', protocol: 'openirc', breaks: 'seed',
    description: 'invalid_type errors report given_type float64 for every number',
    outbound: (m) => (Array.isArray(m.list) ? { ...m, list: (m.list as Msg[]).map((e) => (e.given_type === 'number' ? { ...e, given_type: 'float64' } : e)) } : m),
  },
  {
    name: 'openirc.login-without-connections', protocol: 'openirc', breaks: 'seed',
    description: 'the login answer leaves out connections (only the ws URL)',
    loginBody: (body) => {
      const { connections: _drop, ...rest } = body;
      return rest;
    },
  },
  {
    name: 'openirc.double-reply', protocol: 'openirc', breaks: 'openirc.D3.rid',
    description: 'every ok reply is sent twice',
    outbound: (m, state) => {
      if (m.kind === 'ok') state.later(0, () => state.emit(m));
      return m;
    },
  },
];
