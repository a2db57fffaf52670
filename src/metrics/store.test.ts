import { describe, expect, it } from 'vitest';
import { decodeHistogram, mergeSummaries, MetricsStore, Snapshotter, toSeries } from './index.js';

/** A deterministic spread of latencies from 1 µs to ~2 s with a long tail. */
function values(seed: number, n: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const u = x / 2147483648;
    out.push(Math.floor(Math.exp(u * 14.5)));
  }
  return out;
}

function percentiles(store: MetricsStore, name: string): number[] {
  const h = store.histogram(name);
  const out: number[] = [];
  for (let p = 0; p <= 100; p += 0.5) out.push(h.getValueAtPercentile(p));
  out.push(h.getValueAtPercentile(99.9), h.getValueAtPercentile(99.99));
  return out;
}

function withoutEncoding<T extends { encoded: string }>(s: T): Omit<T, 'encoded'> {
  const { encoded: _encoded, ...rest } = s;
  return rest;
}

describe('MetricsStore', () => {
  it('merges two stores into exactly what one store fed every value holds', () => {
    const a = values(1, 5000);
    const b = values(2, 7000);
    const left = new MetricsStore();
    const right = new MetricsStore();
    const single = new MetricsStore();
    for (const v of a) { left.record('reply', v); single.record('reply', v); }
    for (const v of b) { right.record('reply', v); single.record('reply', v); right.record('connect', v * 3); single.record('connect', v * 3); }
    left.increment('messages.sent', 5000);
    right.increment('messages.sent', 7000);
    right.increment('errors.ROOM_FULL', 2);
    single.increment('messages.sent', 12000);
    single.increment('errors.ROOM_FULL', 2);

    const merged = MetricsStore.mergeAll([left, right]);
    expect(merged.histogramNames()).toEqual(['connect', 'reply']);
    expect(percentiles(merged, 'reply')).toEqual(percentiles(single, 'reply'));
    expect(percentiles(merged, 'connect')).toEqual(percentiles(single, 'connect'));
    expect(withoutEncoding(merged.summarise('reply'))).toEqual(withoutEncoding(single.summarise('reply')));
    expect(merged.summarise('reply').count).toBe(12000);
    expect(merged.counters()).toEqual({ 'errors.ROOM_FULL': 2, 'messages.sent': 12000 });
  });

  it('merges through the encodings exactly as through the stores', () => {
    const left = new MetricsStore();
    const right = new MetricsStore();
    for (const v of values(3, 3000)) left.record('delivery', v);
    for (const v of values(4, 3000)) right.record('delivery', v);
    right.increment('messages.received', 9);
    const direct = MetricsStore.mergeAll([left, right]);
    const viaWire = MetricsStore.decode(left.encode()).mergeEncoded(right.encode());
    expect(percentiles(viaWire, 'delivery')).toEqual(percentiles(direct, 'delivery'));
    expect(viaWire.counters()).toEqual({ 'messages.received': 9 });
    const summaries = mergeSummaries([left.summarise('delivery'), right.summarise('delivery')]);
    expect(summaries && withoutEncoding(summaries)).toEqual(withoutEncoding(direct.summarise('delivery')));
  });

  it('round-trips a histogram through its compressed base64 encoding', () => {
    const store = new MetricsStore({ units: { size: 'bytes' } });
    for (const v of values(5, 10000)) store.record('reply', v);
    store.record('size', 1048576);
    const summary = store.summarise('reply');
    const decoded = decodeHistogram(summary.encoded);
    expect(decoded.totalCount).toBe(10000);
    for (const p of [0, 50, 90, 99, 99.9, 100]) expect(decoded.getValueAtPercentile(p)).toBe(store.histogram('reply').getValueAtPercentile(p));
    const back = MetricsStore.decode(store.encode());
    expect(withoutEncoding(back.summarise('reply'))).toEqual(withoutEncoding(summary));
    expect(back.summarise('size').unit).toBe('bytes');
    expect(back.summarise('size').max).toBe(store.summarise('size').max);
    expect(Math.abs(back.summarise('size').max - 1048576) / 1048576).toBeLessThan(0.001);
  });

  it('summarises p50, p90, p99, p99.9, max, mean and count within HDR precision', () => {
    const store = new MetricsStore();
    for (let v = 1; v <= 1000; v++) store.record('reply', v * 1000);
    const s = store.summarise('reply');
    expect(s).toMatchObject({ unit: 'us', count: 1000 });
    // 3 significant digits: every value is within 0.1% of the true one.
    expect(Math.abs(s.p50 - 500_000) / 500_000).toBeLessThan(0.001);
    expect(Math.abs(s.p90 - 900_000) / 900_000).toBeLessThan(0.001);
    expect(Math.abs(s.p99 - 990_000) / 990_000).toBeLessThan(0.001);
    expect(Math.abs(s.p999 - 999_000) / 999_000).toBeLessThan(0.001);
    expect(Math.abs(s.max - 1_000_000) / 1_000_000).toBeLessThan(0.001);
    expect(Math.abs(s.mean - 500_500) / 500_500).toBeLessThan(0.001);
    expect(s.min).toBe(1000);
  });

  it('summarises an unknown or empty histogram as zeros and records negative values as 0', () => {
    const store = new MetricsStore();
    expect(withoutEncoding(store.summarise('nothing'))).toEqual({ unit: 'us', count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
    store.record('skew', -5);
    store.record('skew', 2.6);
    expect(store.summarise('skew')).toMatchObject({ count: 2, min: 0, max: 3 });
  });
});

describe('Snapshotter', () => {
  it('reports each interval on its own: counter deltas and the interval percentiles', () => {
    const store = new MetricsStore();
    const snap = new Snapshotter(store);
    for (let i = 0; i < 100; i++) store.record('reply', 1000);
    store.increment('messages.sent', 100);
    store.increment('messages.received', 100);
    store.increment('clients.connected', 10);
    const first = snap.take(1000);
    for (let i = 0; i < 50; i++) store.record('reply', 50_000);
    store.increment('messages.sent', 50);
    store.increment('clients.connected', -2);
    const second = snap.take(2000);
    expect(first).toMatchObject({ t: 1000, intervalMs: 1000, counters: { 'messages.sent': 100, 'messages.received': 100, 'clients.connected': 10 } });
    expect(first.histograms.reply).toEqual({ count: 100, p50: 1000, p90: 1000, p99: 1000, max: 1000 });
    expect(second.counters).toEqual({ 'clients.connected': -2, 'messages.received': 0, 'messages.sent': 50 });
    expect(second.histograms.reply?.count).toBe(50);
    expect(Math.abs((second.histograms.reply?.p50 ?? 0) - 50_000) / 50_000).toBeLessThan(0.001);
    expect(second.histograms.reply?.p50).toBe(second.histograms.reply?.max);
    expect(store.summarise('reply').count).toBe(150);
    expect(toSeries(snap.snapshots(), { sent: 'messages.sent', received: 'messages.received', latency: 'reply', connected: 'clients.connected' })).toEqual([
      { t: 1000, sent: 100, received: 100, p50: 1, p99: 1, connected: 10 },
      { t: 2000, sent: 50, received: 0, p50: second.histograms.reply!.p50 / 1000, p99: second.histograms.reply!.p99 / 1000, connected: 8 },
    ]);
  });
});
