/**
 * The tokens clients present (scenario clients and the load engine's virtual clients): valid ones minted with the run's key, and deliberately bad
 * ones for negative cases. Valid tokens come from src/auth/jwt.ts (jsonwebtoken); the bad ones that
 * jsonwebtoken refuses to produce on purpose (`alg: none`, HS256 keyed with a public key's text)
 * are assembled here by hand.
 */
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ccError } from '../errors.js';
import { DEV_JWT_SECRET, mintToken, type JwtAlgorithm } from './jwt.js';

/** Which token a client presents. `valid` is minted from the run's key; the rest are deliberately bad. */
export type TokenVariant =
  | 'valid'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-signature'
  | 'alg-none'
  | 'wrong-key-type'
  | 'malformed'
  | 'none';

export const TOKEN_VARIANTS: readonly TokenVariant[] = [
  'valid', 'expired', 'not-yet-valid', 'wrong-signature', 'alg-none', 'wrong-key-type', 'malformed', 'none',
];

export interface JwtSigningKey {
  algorithm: JwtAlgorithm;
  /** HS256: the shared secret. RS256/ES256: the private key. */
  key: string | KeyObject;
  /** RS256/ES256: the public key as PEM text (what a confused server would use as an HMAC secret). */
  publicKeyPem?: string;
  /** Where it came from, for reports (never the secret itself). */
  source: string;
}

export interface JwtKeySources {
  secret?: string;
  /** Path of a PEM private key (RSA → RS256, P-256 EC → ES256). */
  keyFile?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * What the caller's user calls `secret` and `keyFile`, for errors and the report's `keyFrom`
   * (the command line: its flags). Default: "the secret" and "the key file".
   */
  names?: { secret: string; keyFile: string };
}

const DEFAULT_NAMES = { secret: 'the secret', keyFile: 'the key file' } as const;

/**
 * Picks the signing key: the secret, else the key file, else CHAT_CONFORM_JWT_SECRET, else
 * CHAT_CONFORM_JWT_KEY (a file path or PEM text), else the development secret the reference
 * server uses by default.
 */
export function resolveSigningKey(sources: JwtKeySources = {}): JwtSigningKey {
  const env = sources.env ?? process.env;
  const names = sources.names ?? DEFAULT_NAMES;
  if (sources.secret !== undefined && sources.keyFile !== undefined) {
    throw ccError('CC_ERR_USAGE', { detail: `${names.secret} and ${names.keyFile} cannot be used together` });
  }
  if (sources.secret !== undefined) return secretKey(sources.secret, names.secret);
  if (sources.keyFile !== undefined) return privateKeyFrom(readKeyFile(sources.keyFile), `${names.keyFile} ${sources.keyFile}`);
  if (env.CHAT_CONFORM_JWT_SECRET) return secretKey(env.CHAT_CONFORM_JWT_SECRET, 'CHAT_CONFORM_JWT_SECRET');
  const envKey = env.CHAT_CONFORM_JWT_KEY;
  if (envKey) {
    const pem = envKey.includes('-----BEGIN') ? envKey : readKeyFile(envKey);
    return privateKeyFrom(pem, 'CHAT_CONFORM_JWT_KEY');
  }
  return { algorithm: 'HS256', key: DEV_JWT_SECRET, source: 'development secret' };
}

function secretKey(secret: string, source: string): JwtSigningKey {
  if (secret.length === 0) throw ccError('CC_ERR_JWT_KEY', { source, reason: 'the secret is empty' });
  return { algorithm: 'HS256', key: secret, source };
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw ccError('CC_ERR_JWT_KEY', { source: path, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
  }
}

function privateKeyFrom(pem: string, source: string): JwtSigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw ccError('CC_ERR_JWT_KEY', { source, reason: `not a PEM private key (${(err as Error).message})` });
  }
  const type = key.asymmetricKeyType;
  let algorithm: JwtAlgorithm;
  if (type === 'rsa') algorithm = 'RS256';
  else if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') algorithm = 'ES256';
  else throw ccError('CC_ERR_JWT_KEY', { source, reason: `unsupported key type ${type ?? 'unknown'} (use RSA for RS256 or P-256 EC for ES256)` });
  const publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return { algorithm, key, publicKeyPem, source };
}

let strangerKeys: { rsa: KeyObject; ec: KeyObject } | undefined;

/** Keys nobody trusts, for wrong-signature and wrong-key-type tokens (made once per process). */
function strangers(): { rsa: KeyObject; ec: KeyObject } {
  strangerKeys ??= {
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    ec: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
  };
  return strangerKeys;
}

const HOUR = 3600;

/**
 * A token of the given variant carrying `claims`:
 * - valid: signed with the run's key, expires in an hour;
 * - expired: `exp` an hour ago; not-yet-valid: `nbf` an hour ahead;
 * - wrong-signature: the right algorithm, signed with another key;
 * - alg-none: `{"alg":"none"}` and an empty signature;
 * - wrong-key-type: the HS/RS confusion — with an RS256/ES256 key, an HS256 token whose HMAC secret
 *   is the public key's PEM text; with an HS256 secret, an RS256 token signed by a stranger's key;
 * - malformed: not a JWT at all; none: the empty string.
 */
export function mintVariant(variant: TokenVariant, claims: Record<string, unknown>, key: JwtSigningKey): string {
  const now = Math.floor(Date.now() / 1000);
  switch (variant) {
    case 'valid':
      return mintToken({ claims, algorithm: key.algorithm, key: key.key, expiresIn: HOUR });
    case 'expired':
      return mintToken({ claims: { ...claims, iat: now - 2 * HOUR, exp: now - HOUR }, algorithm: key.algorithm, key: key.key });
    case 'not-yet-valid':
      return mintToken({ claims, algorithm: key.algorithm, key: key.key, notBefore: HOUR, expiresIn: 2 * HOUR });
    case 'wrong-signature': {
      const other = key.algorithm === 'HS256' ? `${String(key.key)}-not-the-secret` : key.algorithm === 'RS256' ? strangers().rsa : strangers().ec;
      return mintToken({ claims, algorithm: key.algorithm, key: other, expiresIn: HOUR });
    }
    case 'alg-none':
      return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(withTimes(claims, now))}.`;
    case 'wrong-key-type': {
      if (key.algorithm === 'HS256') return mintToken({ claims, algorithm: 'RS256', key: strangers().rsa, expiresIn: HOUR });
      const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(withTimes(claims, now))}`;
      const signature = createHmac('sha256', key.publicKeyPem ?? '').update(signingInput).digest('base64url');
      return `${signingInput}.${signature}`;
    }
    case 'malformed':
      return 'not-a-jwt';
    case 'none':
      return '';
  }
}

function withTimes(claims: Record<string, unknown>, now: number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...claims, iat: now, exp: now + HOUR };
  if (typeof out.sub === 'number') out.sub = String(out.sub);
  return out;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
