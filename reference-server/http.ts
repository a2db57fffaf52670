/**
 * The HTTP endpoints: OpenIRC's `POST /login/` and the loopback-only `POST /admin/announce`
 * (assa.D17). Bodies are JSON, capped at 64 KiB.
 */
import http from 'node:http';
import type { Announcement } from './core/model.js';
import type { Logger } from './shared/log.js';
import type { OpenIrcLogin } from './openirc/login.js';

const MAX_BODY = 64 * 1024;

export interface HttpRoutes {
  login?: OpenIrcLogin;
  announce(announcement: Announcement): number;
  logger: Logger;
}

export function createHttpServer(routes: HttpRoutes): http.Server {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method !== 'POST') return send(path === '/login/' || path === '/admin/announce' ? 405 : 404, { error: 'not_found' });
    readJson(req, (body) => {
      if (body === undefined) return send(400, { error: 'invalid_json' });
      if ((path === '/login/' || path === '/login') && routes.login) {
        const reply = routes.login.login(body);
        return send(reply.status, reply.body);
      }
      if (path === '/admin/announce') {
        if (!isLoopback(req.socket.remoteAddress)) return send(403, { error: 'loopback_only' });
        const announcement = parseAnnouncement(body);
        if (!announcement) return send(400, { error: 'expected {title, message, priority?, announcement_type?} strings' });
        const delivered = routes.announce(announcement);
        routes.logger.info('announcement sent', { delivered });
        return send(200, { delivered });
      }
      return send(404, { error: 'not_found' });
    }, () => {
      // Answer first; the rest of the body is not read.
      res.setHeader('connection', 'close');
      send(413, { error: 'body_too_large' });
      res.once('finish', () => req.destroy());
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

function readJson(req: http.IncomingMessage, done: (body: unknown) => void, tooLarge: () => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let failed = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      if (!failed) tooLarge();
      failed = true;
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (failed) return;
    try {
      done(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      done(undefined);
    }
  });
  req.on('error', () => {});
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || (address?.startsWith('127.') ?? false);
}

export function parseAnnouncement(body: unknown): Announcement | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.title !== 'string' || typeof b.message !== 'string') return undefined;
  if (b.priority !== undefined && typeof b.priority !== 'string') return undefined;
  if (b.announcement_type !== undefined && typeof b.announcement_type !== 'string') return undefined;
  return { title: b.title, message: b.message, priority: (b.priority as string | undefined) ?? 'normal', announcement_type: (b.announcement_type as string | undefined) ?? 'notice' };
}
