import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { createJwtVerifier, DEV_JWT_SECRET } from './jwt.js';
import { mintVariant, resolveSigningKey } from './tokens.js';

const claims = { sub: 1001, nickname: 'Alice' };

function rsaKeyFile(): { file: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(join(tmpdir(), 'cc-jwt-'));
  const file = join(dir, 'key.pem');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { file, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

describe('choosing the signing key', () => {
  it('defaults to the development secret with HS256', () => {
    expect(resolveSigningKey({ env: {} })).toEqual({ algorithm: 'HS256', key: DEV_JWT_SECRET, source: 'development secret' });
  });

  it('prefers the flag, then the environment', () => {
    expect(resolveSigningKey({ secret: 's1', env: { CHAT_CONFORM_JWT_SECRET: 's2' } }).key).toBe('s1');
    expect(resolveSigningKey({ env: { CHAT_CONFORM_JWT_SECRET: 's2' } }).key).toBe('s2');
  });

  it('names its inputs as the caller does: neutral words by default, flags from the command line', () => {
    expect(() => resolveSigningKey({ secret: 's', keyFile: 'k.pem', env: {} })).toThrow(expect.objectContaining({ code: 'CC_ERR_USAGE', message: 'the secret and the key file cannot be used together' }));
    const names = { secret: '--jwt-secret', keyFile: '--jwt-key' };
    expect(() => resolveSigningKey({ secret: 's', keyFile: 'k.pem', env: {}, names })).toThrow(expect.objectContaining({ code: 'CC_ERR_USAGE', message: '--jwt-secret and --jwt-key cannot be used together' }));
    expect(() => resolveSigningKey({ secret: '', env: {} })).toThrow(expect.objectContaining({ code: 'CC_ERR_JWT_KEY', message: 'cannot use the JWT key the secret: the secret is empty' }));
    expect(resolveSigningKey({ secret: 's', env: {}, names }).source).toBe('--jwt-secret');
  });

  it('reads an RSA key file as RS256 and an EC key from the environment as ES256', () => {
    const { file } = rsaKeyFile();
    expect(resolveSigningKey({ keyFile: file, env: {} }).algorithm).toBe('RS256');
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(resolveSigningKey({ env: { CHAT_CONFORM_JWT_KEY: ec } }).algorithm).toBe('ES256');
  });

  it('refuses a missing key file and a file that is not a key with CC_ERR_JWT_KEY', () => {
    expect(() => resolveSigningKey({ keyFile: '/nonexistent/key.pem', env: {} })).toThrow(expect.objectContaining({ code: 'CC_ERR_JWT_KEY', exitCode: 2 }));
    const dir = mkdtempSync(join(tmpdir(), 'cc-jwt-'));
    writeFileSync(join(dir, 'junk.pem'), 'hello');
    expect(() => resolveSigningKey({ keyFile: join(dir, 'junk.pem'), env: {} })).toThrow(/not a PEM private key/);
  });
});

describe('minting token variants (HS256)', () => {
  const key = resolveSigningKey({ env: {} });
  const verifier = createJwtVerifier({ secret: DEV_JWT_SECRET });

  it('mints a valid token with sub as a string and the nickname', () => {
    const result = verifier.verify(mintVariant('valid', claims, key));
    expect(result.ok).toBe(true);
    expect(result.ok && result.claims).toMatchObject({ sub: '1001', nickname: 'Alice' });
  });

  it('mints tokens that a correct verifier refuses, each for its reason', () => {
    const reason = (variant: Parameters<typeof mintVariant>[0]) => {
      const r = verifier.verify(mintVariant(variant, claims, key));
      return r.ok ? 'accepted' : `${r.reason}: ${r.detail}`;
    };
    expect(reason('expired')).toBe('rejected: jwt expired');
    expect(reason('not-yet-valid')).toBe('rejected: jwt not active');
    expect(reason('wrong-signature')).toBe('rejected: invalid signature');
    expect(reason('alg-none')).toMatch(/^rejected: (jwt signature is required|invalid algorithm)/);
    expect(reason('wrong-key-type')).toBe('rejected: invalid algorithm');
    expect(reason('malformed')).toBe('malformed: not a JWT');
    expect(reason('none')).toBe('malformed: not a JWT');
  });

  it('puts alg none in the header with an empty signature', () => {
    const token = mintVariant('alg-none', claims, key);
    expect(token.endsWith('.')).toBe(true);
    expect(jwt.decode(token, { complete: true })?.header).toEqual({ alg: 'none', typ: 'JWT' });
  });
});

describe('minting token variants (RS256)', () => {
  const { file, publicPem } = rsaKeyFile();
  const key = resolveSigningKey({ keyFile: file, env: {} });
  const verifier = createJwtVerifier({ publicKey: publicPem });

  it('mints a valid RS256 token the public key verifies', () => {
    expect(verifier.verify(mintVariant('valid', claims, key)).ok).toBe(true);
  });

  it('makes the classic confusion token: HS256 keyed with the public key text', () => {
    const token = mintVariant('wrong-key-type', claims, key);
    expect(jwt.decode(token, { complete: true })?.header.alg).toBe('HS256');
    // A naive server that feeds its public key text to HMAC would accept it:
    const [head, body, sig] = token.split('.');
    expect(createHmac('sha256', publicPem).update(`${head}.${body}`).digest('base64url')).toBe(sig);
    const r = verifier.verify(token);
    expect(r.ok ? 'accepted' : r.detail).toBe('invalid algorithm');
  });

  it('signs wrong-signature tokens with a stranger key of the same algorithm', () => {
    const token = mintVariant('wrong-signature', claims, key);
    expect(jwt.decode(token, { complete: true })?.header.alg).toBe('RS256');
    const r = verifier.verify(token);
    expect(r.ok ? 'accepted' : r.detail).toBe('invalid signature');
  });
});
