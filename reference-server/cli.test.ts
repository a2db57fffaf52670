/** The `serve` and `token` commands, called as functions (and through main() for flag errors). */
import { EventEmitter } from 'node:events';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../src/auth/jwt.js';
import { nextStopSignal, serve, type ServeOptions } from '../src/cli/commands/serve.js';
import { token } from '../src/cli/commands/token.js';
import { memoryIO } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { connectTcp } from './testing/client.js';

describe('chat-conform token', () => {
  it('prints an HS256 JWT with the development secret, sub, nickname, a one-hour expiry and extra claims', async () => {
    const io = memoryIO();
    expect(await token({ sub: '123', nickname: 'Alice', claim: ['role=admin', 'level=5'] }, io)).toBe(0);
    expect(io.stdout).toHaveLength(1);
    const claims = jwt.verify(io.stdout[0] as string, DEV_JWT_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: '123', nickname: 'Alice', role: 'admin', level: 5 });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it('signs with an RS256 private key file and honours --expires-in and --not-before', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = mkdtempSync(join(tmpdir(), 'cc-token-'));
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const io = memoryIO();
    await token({ sub: '7', key: keyFile, expiresIn: 60_000, notBefore: 0 }, io);
    const decoded = jwt.decode(io.stdout[0] as string, { complete: true });
    expect(decoded?.header.alg).toBe('RS256');
    const claims = jwt.verify(io.stdout[0] as string, publicKey, { algorithms: ['RS256'] }) as jwt.JwtPayload;
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    await expect(token({ sub: '7', key: keyFile, alg: 'ES256' }, memoryIO())).rejects.toMatchObject({ code: 'CC_ERR_JWT_KEY' });
    await expect(token({ sub: '7', alg: 'RS256' }, memoryIO())).rejects.toMatchObject({ code: 'CC_ERR_USAGE' });
    await expect(token({ sub: '7', key: join(dir, 'missing.pem') }, memoryIO())).rejects.toMatchObject({ code: 'CC_ERR_FILE_NOT_FOUND' });
  });

  it('exits 2 on a bad --sub or a missing one', async () => {
    expect(await main(['node', 'chat-conform', 'token', '--sub', 'abc'], memoryIO())).toBe(2);
    expect(await main(['node', 'chat-conform', 'token'], memoryIO())).toBe(2);
  });
});

describe('chat-conform serve', () => {
  const base: ServeOptions = { profile: 'all', host: '127.0.0.1', tcpPort: 0, wsPort: 0, httpPort: 0, logLevel: 'info' };

  it('prints its URLs and how to get a token, logs connections, and closes everything on stop', async () => {
    const io = memoryIO();
    let stop!: (signal: string) => void;
    const running = serve(base, io, new Promise((resolve) => (stop = resolve)));
    const deadline = Date.now() + 5000;
    while (io.stdout.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const out = io.stdout.join('\n');
    const tcpUrl = /tcp:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0] as string;
    expect(tcpUrl).toBeDefined();
    expect(out).toMatch(/ws:\/\/127\.0\.0\.1:\d+\/assa/);
    expect(out).toMatch(/ws:\/\/127\.0\.0\.1:\d+\/envelope\?token=<jwt>/);
    expect(out).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/login\//);
    expect(out).toContain('npx chat-conform token --sub 123 --nickname Alice');
    expect(out).toContain(DEV_JWT_SECRET);
    const tokenIO = memoryIO();
    await token({ sub: '123', nickname: 'Alice' }, tokenIO);
    const client = await connectTcp(tcpUrl);
    const reply = await client.request('CONNECT', { jwt_token: tokenIO.stdout[0] });
    expect(reply).toMatchObject({ action: 'CONNECT_RESPONSE', success: true });
    expect(io.stderr.some((l) => / info  connection opened transport=assa-tcp/.test(l))).toBe(true);
    stop('SIGTERM');
    expect(await running).toBe(0);
    await client.closed();
    expect(io.stderr).toContain('SIGTERM: shutting down');
    const { port } = new URL(tcpUrl);
    await expect(new Promise((resolve, reject) => {
      const s = net.connect(Number(port), '127.0.0.1', () => resolve(s.destroy()));
      s.on('error', reject);
    })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('serves the other-choices variant with --variant other-choices, and says so', async () => {
    const io = memoryIO();
    let stop!: (signal: string) => void;
    const running = serve({ ...base, profile: 'assa', variant: 'other-choices' }, io, new Promise((resolve) => (stop = resolve)));
    const deadline = Date.now() + 5000;
    while (io.stdout.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const out = io.stdout.join('\n');
    expect(out).toContain('chat-conform reference server (assa, variant other-choices: the other reading wherever the seeds are silent)');
    const client = await connectTcp(/tcp:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0] as string);
    // The variant refuses a request before CONNECT in the ERROR form; the reference answers CREATE_ROOM_RESPONSE.
    expect(await client.request('CREATE_ROOM', { name: 'r' })).toMatchObject({ action: 'ERROR', error_code: 'AUTH_FAILED', data: { original_action: 'CREATE_ROOM' } });
    stop('SIGTERM');
    expect(await running).toBe(0);
    await client.closed();
  });

  it('reports a port in use as CC_ERR_LISTEN', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(serve({ ...base, profile: 'assa', tcpPort: port }, memoryIO(), new Promise(() => {}))).rejects.toMatchObject({ code: 'CC_ERR_LISTEN' });
    } finally {
      blocker.close();
    }
  });

  it('stops on the first SIGINT or SIGTERM and removes its listeners', async () => {
    const emitter = new EventEmitter();
    const stopped = nextStopSignal(emitter);
    expect(emitter.listenerCount('SIGTERM')).toBe(1);
    emitter.emit('SIGTERM');
    expect(await stopped).toBe('SIGTERM');
    expect(emitter.listenerCount('SIGTERM') + emitter.listenerCount('SIGINT')).toBe(0);
  });

  it('exits 2 on bad flag values', async () => {
    expect(await main(['node', 'chat-conform', 'serve', '--ping-interval', 'soon'], memoryIO())).toBe(2);
    expect(await main(['node', 'chat-conform', 'serve', '--profile', 'xmpp'], memoryIO())).toBe(2);
    expect(await main(['node', 'chat-conform', 'serve', '--variant', 'mine'], memoryIO())).toBe(2);
    expect(await main(['node', 'chat-conform', 'serve', '--tcp-port', '70000'], memoryIO())).toBe(2);
    expect(await main(['node', 'chat-conform', 'serve', '--jwt-secret', 'a', '--jwt-public-key', 'b'], memoryIO())).toBe(2);
  });
});
