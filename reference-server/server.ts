/**
 * startReferenceServer: the chat core, the three protocol front ends and their listeners in one
 * process. Fast to start, and close() ends every socket, timer and listener within a deadline.
 * The variant's choices (choices.ts) reach the front ends from here; faults wrap them on top.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createJwtVerifier } from '../src/auth/jwt.js';
import { ccError } from '../src/errors.js';
import { AssaConnection, type AssaContext } from './assa/connection.js';
import { AssaRender } from './assa/render.js';
import { resolveConfig, type ReferenceServerOptions, type ServerConfig } from './shared/config.js';
import { ChatCore } from './core/chat-core.js';
import type { Announcement } from './core/model.js';
import { closedAtOnce, EnvelopeConnection, type EnvelopeContext } from './envelope/connection.js';
import { faultHooks } from './faults/index.js';
import { createHttpServer, parseAnnouncement } from './http.js';
import { identityFromClaims, type Identity } from './shared/identity.js';
import { OpenIrcConnection } from './openirc/connection.js';
import { OpenIrcLogin } from './openirc/login.js';
import { CLOSE, type Peer, type ProtocolConnection } from './transport/peer.js';
import { Transports, type TransportStats } from './transport/registry.js';
import { createTcpServer } from './transport/tcp.js';
import { attachWebSockets, type WsRoute } from './transport/ws.js';

export interface ServerUrls {
  /** tcp://host:port — ASSA over NDJSON. */
  assaTcp?: string;
  /** ws://host:port/assa */
  assaWs?: string;
  /** ws://host:port/envelope (append ?token=<jwt>) */
  envelopeWs?: string;
  /** http://host:port — OpenIRC's `POST /login/` lives here. */
  openircHttp?: string;
  /** ws://host:port/openirc (the login answer adds ?session=<key>) */
  openircWs?: string;
  /** http://host:port/admin/announce (loopback only) */
  adminHttp: string;
}

export interface ServerStats extends TransportStats {
  authenticatedUsers: number;
  rooms: number;
  videoRooms: number;
  messages: number;
  /** Bytes of heap in use, for memory-per-connection measurements. */
  heapUsed: number;
}

export interface RunningServer {
  readonly urls: ServerUrls;
  readonly config: ServerConfig;
  /** Sends SERVER_ANNOUNCEMENT to every authenticated ASSA connection; returns the recipients. */
  announce(announcement: { title: string; message: string; priority?: string; announcement_type?: string }): number;
  stats(): ServerStats;
  /** Stops listening, closes every connection (1001), and resolves once all is released. */
  close(): Promise<void>;
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<RunningServer> {
  const config = resolveConfig(options);
  // Faults (tests of the conformance suites only, see faults/) may shift limits and timers.
  const faults = faultHooks(config.faults);
  const { limits, timers } = faults.active ? faults.adjust(config.limits, config.timers) : config;
  const { logger, choices } = config;
  const verifier = faults.wrapVerifier(createJwtVerifier(config.jwt));
  const core = new ChatCore({
    roomHistory: limits.roomHistory, defaultMaxParticipants: config.rooms.maxParticipants,
    defaultIsOpen: config.rooms.isOpen, defaultVideoMaxParticipants: config.rooms.videoMaxParticipants,
    closedRoomNeedsInvitation: choices.assa.closedRoomNeedsInvitation, senderCopy: choices.assa.senderCopy,
  });
  const transports = new Transports(logger, limits.maxConnections, limits.maxMessageBytes, limits.maxOutboundBufferBytes, timers.closeGrace);
  // Sweep often enough that no timer fires more than a tenth of its period late.
  const tickInterval = Math.max(5, Math.min(1000, Math.floor(Math.min(timers.pingInterval, timers.pongTimeout, timers.connectTimeout) / 10)));
  let seq = 0;
  const seqPrefix = `srv_${Date.now().toString(36)}_`;
  const nextSeq = choices.assa.serverSeqIds === 'uuid' ? randomUUID : (): string => `${seqPrefix}${++seq}`;
  const render = new AssaRender(choices);
  const assaCtx: AssaContext = { core, limits, rooms: config.rooms, choices: choices.assa, render, verifier, timers, tickInterval, logger, nextSeq };
  if (faults.textOver) assaCtx.textOver = faults.textOver;
  const actingUser = faults.actingUser;
  if (actingUser) assaCtx.actingUser = (claimed, user) => actingUser(claimed, user, core.users);
  const assaConnection = (peer: Peer): ProtocolConnection => {
    const wrapped = faults.wrapPeer(peer, 'assa');
    return faults.wrapConnection(new AssaConnection(assaCtx, wrapped), wrapped);
  };
  const envelopeCtx: EnvelopeContext = { core, limits, timers, tickInterval, choices };

  const listeners: (net.Server | http.Server)[] = [];
  const urls: ServerUrls = { adminHttp: '' };
  const host = config.host;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  let wsPort = 0;
  let login: OpenIrcLogin | undefined;
  const announce = (a: Announcement): number => core.announce(a);

  try {
    if (config.profiles.has('assa')) {
      const tcp = createTcpServer(transports, {
        open: assaConnection,
        // assa.D18: an ERROR line before the close, or (the variant) a close without a word.
        refuse: (peer) => {
          if (choices.assa.overCapacity === 'close') peer.sendJson(render.error(nextSeq(), 'MAX_PARTICIPANTS_REACHED', 'CONNECT', `the server holds its maximum of ${limits.maxConnections} connections`));
        },
      });
      const port = await listen(tcp, host, config.tcpPort);
      listeners.push(tcp);
      urls.assaTcp = `tcp://${hostInUrl}:${port}`;
    }
    const routes: WsRoute[] = [];
    if (config.profiles.has('assa')) {
      routes.push({ path: '/assa', label: 'assa-ws', open: assaConnection });
    }
    if (config.profiles.has('envelope')) {
      const badToken = choices.envelope.badToken;
      routes.push({
        path: '/envelope', label: 'envelope',
        authorize: (_req, url) => {
          const token = url.searchParams.get('token');
          const verified = token ? verifier.verify(token) : undefined;
          const identity = verified?.ok ? identityFromClaims(verified.claims) : undefined;
          // envelope.D1: refused in the handshake, or (the variant) accepted and then closed.
          if (identity || badToken.refuse === 'close') return { ok: true, value: identity };
          return { ok: false, status: 401, body: JSON.stringify({ error: token ? 'invalid_token' : 'missing_token' }) };
        },
        open: (peer, identity) => {
          const wrapped = faults.wrapPeer(peer, 'envelope');
          if (identity === undefined && badToken.refuse === 'close') return closedAtOnce(wrapped, badToken.code, 'invalid token');
          return new EnvelopeConnection(envelopeCtx, wrapped, identity as Identity);
        },
      });
    }
    if (config.profiles.has('openirc')) {
      login = new OpenIrcLogin(verifier, core, timers.connectTimeout, () => ({ url: urls.openircWs ?? '', host, port: wsPort }), choices);
      const l = login;
      const rewrite = faults.loginBody;
      if (rewrite) {
        const answer = l.login.bind(l);
        l.login = (body) => {
          const reply = answer(body);
          return reply.status === 200 ? { ...reply, body: rewrite(reply.body as Record<string, unknown>) } : reply;
        };
      }
      routes.push({
        path: '/openirc', label: 'openirc',
        authorize: (_req, url) => {
          const identity = l.redeem(url.searchParams.get('session'));
          return identity ? { ok: true, value: identity } : { ok: false, status: 401, body: JSON.stringify({ error: 'invalid_session' }) };
        },
        open: (peer, identity) => new OpenIrcConnection({ core, choices }, faults.wrapPeer(peer, 'openirc'), identity as Identity),
      });
    }
    if (routes.length > 0) {
      const wsServer = http.createServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain' });
        res.end('WebSocket endpoints: /assa, /envelope, /openirc\n');
      });
      wsServer.on('clientError', (_err, socket) => socket.destroy());
      attachWebSockets(wsServer, transports, routes, {
        oversize: choices.assa.oversize.ws === 'close' ? 'close' : 'report',
        full: choices.assa.overCapacity,
      });
      wsPort = await listen(wsServer, host, config.wsPort);
      listeners.push(wsServer);
      const base = `ws://${hostInUrl}:${wsPort}`;
      if (config.profiles.has('assa')) urls.assaWs = `${base}/assa`;
      if (config.profiles.has('envelope')) urls.envelopeWs = `${base}/envelope`;
      if (config.profiles.has('openirc')) urls.openircWs = `${base}/openirc`;
    }
    const httpServer = createHttpServer({ login, announce, logger });
    const httpPort = await listen(httpServer, host, config.httpPort);
    listeners.push(httpServer);
    urls.adminHttp = `http://${hostInUrl}:${httpPort}/admin/announce`;
    if (login) urls.openircHttp = `http://${hostInUrl}:${httpPort}`;
  } catch (err) {
    for (const l of listeners) l.close();
    transports.destroyAll();
    throw err;
  }

  const sweep = setInterval(() => {
    const now = Date.now();
    if (faults.sweep(now)) transports.sweep(now);
  }, tickInterval);
  sweep.unref();
  logger.info('reference server listening', { ...urls });

  let closing: Promise<void> | undefined;
  return {
    urls,
    config,
    announce(a) {
      const parsed = parseAnnouncement(a);
      if (!parsed) throw ccError('CC_ERR_USAGE', { detail: 'an announcement needs a title and a message (strings)' });
      return announce(parsed);
    },
    stats(): ServerStats {
      let authenticatedUsers = 0;
      for (const u of core.users.values()) if (u.sessions.size > 0) authenticatedUsers++;
      return {
        ...transports.stats, byTransport: { ...transports.stats.byTransport }, authenticatedUsers, rooms: core.rooms.size,
        videoRooms: core.videoRooms.size, messages: core.messagesPosted, heapUsed: process.memoryUsage().heapUsed,
      };
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        const stopped = listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve())));
        for (const l of listeners) if (l instanceof http.Server) l.closeIdleConnections();
        for (const peer of transports.live.values()) peer.close(CLOSE.goingAway, 'server shutting down');
        const deadline = Date.now() + timers.closeGrace;
        while (transports.live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        for (const l of listeners) if (l instanceof http.Server) l.closeAllConnections();
        transports.destroyAll();
        for (const [conn, peer] of [...transports.live]) transports.closed(conn, peer);
        await Promise.all(stopped);
        logger.info('reference server closed');
      })();
      return closing;
    },
  };
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(ccError('CC_ERR_LISTEN', { address: `${host}:${port}`, reason: err.message }, { cause: err }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export type { ReferenceServerOptions, ServerConfig };
