import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseSize } from './duration.js';

describe('parseDuration', () => {
  it('reads milliseconds, seconds, minutes and hours', () => {
    expect(parseDuration('300ms')).toBe(300);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration(42)).toBe(42);
  });

  it('rejects a value with no number or an unknown unit, naming the value', () => {
    expect(() => parseDuration('30x')).toThrowError(/invalid duration "30x"/);
    expect(() => parseDuration('')).toThrowError(/invalid duration ""/);
    expect(() => parseDuration(-1)).toThrowError(/invalid duration -1/);
  });
});

describe('formatDuration', () => {
  it('renders the unit a person would write', () => {
    expect(formatDuration(300)).toBe('300ms');
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(90_000)).toBe('1.5m');
  });
});

describe('parseSize', () => {
  it('reads bytes and binary and decimal units', () => {
    expect(parseSize('1048576')).toBe(1_048_576);
    expect(parseSize('1MiB')).toBe(1_048_576);
    expect(parseSize('512KiB')).toBe(524_288);
    expect(parseSize('1MB')).toBe(1_000_000);
  });

  it('rejects an unknown unit', () => {
    expect(() => parseSize('3 parsecs')).toThrowError(/invalid size "3 parsecs"/);
  });
});
