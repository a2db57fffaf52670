/**
 * Faults of every protocol that verifies JWTs (ASSA CONNECT, envelope handshake, OpenIRC login),
 * FOR TESTING THE CONFORMANCE SUITES ONLY (see hooks.ts).
 */
import jwt from 'jsonwebtoken';
import { isObj, type FaultDef } from './hooks.js';

export const ALL_PROTOCOL_FAULTS: readonly FaultDef[] = [
  {
    name: 'jwt.alg-none-accepted', protocol: 'all', breaks: 'seed',
    description: 'an unsigned JWT (alg none) is accepted',
    verifier: (inner) => ({
      algorithm: inner.algorithm,
      verify(token) {
        const decoded = jwt.decode(token, { complete: true });
        if (decoded && decoded.header.alg === 'none' && isObj(decoded.payload)) return { ok: true, claims: decoded.payload };
        return inner.verify(token);
      },
    }),
  },
];
