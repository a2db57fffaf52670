import { ccError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `300ms`, `30s`, `1.5m`, `1h` (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw ccError('CC_ERR_BAD_DURATION', { value: String(input) });
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(input);
  if (!match) throw ccError('CC_ERR_BAD_DURATION', { value: JSON.stringify(input) });
  const amount = Number(match[1]);
  const unit = match[2] ?? 'ms';
  return Math.round(amount * (DURATION_UNITS[unit] ?? 1));
}

/** Renders milliseconds the way a person writes them: 300ms, 30s, 1.5m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 10) / 10}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6000) / 10}m`;
  return `${Math.round(ms / 360_000) / 10}h`;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1000, mb: 1_000_000, gb: 1_000_000_000, kib: 1024, mib: 1024 * 1024, gib: 1024 * 1024 * 1024,
};

/** Parses `1048576`, `512KiB`, `1MiB`, `1MB` into bytes. */
export function parseSize(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input >= 0) return input;
    throw ccError('CC_ERR_BAD_SIZE', { value: String(input) });
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)?\s*$/.exec(input);
  const unit = (match?.[2] ?? 'b').toLowerCase();
  const factor = SIZE_UNITS[unit];
  if (!match || factor === undefined) throw ccError('CC_ERR_BAD_SIZE', { value: JSON.stringify(input) });
  return Math.round(Number(match[1]) * factor);
}
