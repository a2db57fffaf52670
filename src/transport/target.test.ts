import { describe, expect, it } from 'vitest';
import { resolveSigningKey } from '../auth/tokens.js';
import { EMBEDDED_OFFER, startEmbeddedTarget } from '../embedded/target.js';
import { entryUrl, httpUrlOf, offerOf, parseTarget, transportOf, urlTarget, webSocketUrlOf } from './target.js';

describe('parseTarget', () => {
  it('picks the transport, framing and default port from the scheme', () => {
    expect(parseTarget('tcp://127.0.0.1:12345')).toMatchObject({ scheme: 'tcp', host: '127.0.0.1', port: 12345, framing: 'ndjson', secure: false });
    expect(parseTarget('wss://example.org/chat?x=1')).toMatchObject({ scheme: 'wss', port: 443, path: '/chat?x=1', secure: true });
    expect(parseTarget('ws://[::1]:8080/')).toMatchObject({ host: '::1', port: 8080 });
  });

  it('refuses what cannot be connected to, with CC_ERR_BAD_TARGET and the reason', () => {
    const reason = (url: string): string => {
      try {
        parseTarget(url);
        return 'accepted';
      } catch (err) {
        return `${(err as { code: string }).code}: ${(err as Error).message}`;
      }
    };
    expect(reason('not a url')).toBe('CC_ERR_BAD_TARGET: invalid target "not a url": not a URL');
    expect(reason('ftp://h:1')).toBe('CC_ERR_BAD_TARGET: invalid target ftp://h:1: unsupported scheme ftp');
    expect(reason('tcp://h')).toBe('CC_ERR_BAD_TARGET: invalid target tcp://h: tcp:// needs a port');
    expect(reason('ws://h:0')).toBe('CC_ERR_BAD_TARGET: invalid target ws://h:0: port 0 cannot be connected to');
  });
});

describe('the run target', () => {
  it('serves any profile on the one URL given, under its own scheme', () => {
    const target = urlTarget('tcp://127.0.0.1:12345');
    expect(target.embedded).toBe(false);
    expect(target.adminUrl).toBeUndefined();
    expect(target.urls('assa')).toEqual({ tcp: 'tcp://127.0.0.1:12345' });
    expect(target.urls('envelope')).toEqual({ tcp: 'tcp://127.0.0.1:12345' });
    expect(offerOf(target).transports('assa')).toEqual(['tcp']);
  });

  it('takes an http(s) login base as the WebSocket it leads to, and keeps the URL as written', () => {
    const target = urlTarget('http://127.0.0.1:8080');
    expect(target.urls('openirc')).toEqual({ http: 'http://127.0.0.1:8080' });
    expect(offerOf(target).transports('openirc')).toEqual(['ws']);
    expect(transportOf('https')).toBe('wss');
    expect(transportOf('tcp+lp')).toBe('tcp+lp');
    expect(transportOf('ftp')).toBeUndefined();
  });

  it('checks the URL when it is given', () => {
    expect(() => urlTarget('http://127.0.0.1:0')).toThrow(expect.objectContaining({ code: 'CC_ERR_BAD_TARGET' }));
    expect(() => urlTarget('gopher://h:70')).toThrow(expect.objectContaining({ code: 'CC_ERR_BAD_TARGET', message: 'invalid target gopher://h:70: unsupported scheme gopher' }));
  });

  it('starts a client on the first URL of a transport the case is written for, else on the first URL', () => {
    const urls = { tcp: 'tcp://h:1', ws: 'ws://h:2/assa' };
    expect(entryUrl(urls)).toBe('tcp://h:1');
    expect(entryUrl(urls, ['ws', 'wss'])).toBe('ws://h:2/assa');
    expect(entryUrl(urls, ['tls'])).toBe('tcp://h:1');
    // OpenIRC: the login comes first and leads to ws, so a ws case starts at the login too.
    expect(entryUrl({ http: 'http://h:3', ws: 'ws://h:4/openirc' }, ['ws'])).toBe('http://h:3');
    expect(entryUrl({})).toBeUndefined();
  });

  it('swaps http and ws schemes of one address for a login and its WebSocket', () => {
    expect(httpUrlOf('wss://h:9/openirc')).toBe('https://h:9/openirc');
    expect(webSocketUrlOf('http://h:9/openirc?session=k')).toBe('ws://h:9/openirc?session=k');
    expect(httpUrlOf('tcp://h:1')).toBe('tcp://h:1');
  });
});

describe('the embedded reference server as a target', () => {
  it('offers each profile its front ends before it starts, and serves their URLs once started', async () => {
    expect(EMBEDDED_OFFER.transports('assa')).toEqual(['tcp', 'ws']);
    expect(EMBEDDED_OFFER.transports('openirc')).toEqual(['ws']);
    expect(EMBEDDED_OFFER.transports('my-protocol')).toEqual([]);
    const target = await startEmbeddedTarget({ profiles: ['assa', 'openirc'], signingKey: resolveSigningKey({ env: {} }) });
    try {
      expect(target.embedded).toBe(true);
      expect(Object.keys(target.urls('assa'))).toEqual(['tcp', 'ws']);
      expect(target.urls('assa').ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/assa$/);
      expect(Object.keys(target.urls('openirc'))).toEqual(['http', 'ws']);
      expect(target.urls('envelope')).toEqual({});
      expect(target.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/announce$/);
      expect(target.clientUrls).toEqual([target.urls('assa').tcp, target.urls('assa').ws, target.urls('openirc').ws, target.urls('openirc').http]);
    } finally {
      await target.close();
    }
  });
});
