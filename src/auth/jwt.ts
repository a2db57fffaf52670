/**
 * Minting and verifying the JWTs every chat-conform profile authenticates with. Verification pins
 * the algorithm to the key's kind, so `alg: none` and HS/RS key confusion are refused by
 * construction rather than by jsonwebtoken's defaults.
 */
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ccError } from '../errors.js';

/** The documented development secret shared by `serve`, `token` and the embedded server of `run`. */
export const DEV_JWT_SECRET = 'chat-conform-dev-secret';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

export interface MintTokenOptions {
  /** Claims of the payload, e.g. `{ sub: '123', nickname: 'Alice' }`. */
  claims: Record<string, unknown>;
  /** Default HS256. */
  algorithm?: JwtAlgorithm;
  /** HS256: the shared secret. RS256/ES256: the private key (PEM or KeyObject). Default: DEV_JWT_SECRET. */
  key?: string | Buffer | KeyObject;
  /** Seconds, or a duration string jsonwebtoken understands (`1h`, `30m`). Omit for no `exp`. */
  expiresIn?: number | string;
  /** Seconds, or a duration string; the token is not valid before now + notBefore. */
  notBefore?: number | string;
}

/** Signs a JWT. Small on purpose: the scenario runner and the `token` command both call it. */
export function mintToken(options: MintTokenOptions): string {
  const algorithm = options.algorithm ?? 'HS256';
  const key = options.key ?? DEV_JWT_SECRET;
  const signOptions: jwt.SignOptions = { algorithm };
  if (options.expiresIn !== undefined) signOptions.expiresIn = options.expiresIn as jwt.SignOptions['expiresIn'];
  if (options.notBefore !== undefined) signOptions.notBefore = options.notBefore as jwt.SignOptions['notBefore'];
  // A `sub` given as a number is a string in JWT (RFC 7519 §4.1.2: StringOrURI).
  const claims = { ...options.claims };
  if (typeof claims.sub === 'number') claims.sub = String(claims.sub);
  return jwt.sign(claims, key as jwt.Secret, signOptions);
}

/** The key a server verifies with: an HS256 secret, or an RS256/ES256 public key (PEM). */
export type VerificationKey = { secret: string } | { publicKey: string | Buffer };

export type VerifyResult =
  | { ok: true; claims: Record<string, unknown> }
  /** `malformed`: not a JWT at all. `rejected`: a JWT that fails verification. */
  | { ok: false; reason: 'malformed' | 'rejected'; detail: string };

export interface JwtVerifier {
  readonly algorithm: JwtAlgorithm;
  verify(token: string): VerifyResult;
}

/** Builds a verifier whose accepted algorithm is fixed by the key: HS256, RS256 or ES256. */
export function createJwtVerifier(key: VerificationKey): JwtVerifier {
  let algorithm: JwtAlgorithm;
  let secret: jwt.Secret;
  if ('secret' in key) {
    if (key.secret.length === 0) throw ccError('CC_ERR_JWT_KEY', { source: 'secret', reason: 'the secret is empty' });
    algorithm = 'HS256';
    // A KeyObject spares jsonwebtoken from probing the string as a PEM key on every verify.
    secret = createSecretKey(Buffer.from(key.secret, 'utf8'));
  } else {
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(key.publicKey);
    } catch (err) {
      throw ccError('CC_ERR_JWT_KEY', { source: 'public key', reason: (err as Error).message });
    }
    const type = publicKey.asymmetricKeyType;
    if (type === 'rsa') algorithm = 'RS256';
    else if (type === 'ec' && publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') algorithm = 'ES256';
    else throw ccError('CC_ERR_JWT_KEY', { source: 'public key', reason: `unsupported key type ${type ?? 'unknown'} (use RSA for RS256 or P-256 EC for ES256)` });
    secret = publicKey;
  }
  const options: jwt.VerifyOptions = { algorithms: [algorithm] };
  return {
    algorithm,
    verify(token: string): VerifyResult {
      if (typeof token !== 'string' || token.length === 0 || jwt.decode(token, { complete: true }) === null) {
        return { ok: false, reason: 'malformed', detail: 'not a JWT' };
      }
      try {
        const payload = jwt.verify(token, secret, options);
        if (typeof payload === 'string') return { ok: false, reason: 'rejected', detail: 'payload is not a JSON object' };
        return { ok: true, claims: payload as Record<string, unknown> };
      } catch (err) {
        return { ok: false, reason: 'rejected', detail: (err as Error).message };
      }
    },
  };
}

/** Reads a private signing key (PEM) and names the algorithm it implies, for `token --key`. */
export function signingAlgorithmOf(pem: string | Buffer): JwtAlgorithm {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') return 'ES256';
  throw ccError('CC_ERR_JWT_KEY', { source: 'private key', reason: `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}` });
}
