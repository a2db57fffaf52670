import { InvalidArgumentError } from 'commander';
import { isCcError } from '../errors.js';
import { parseDuration, parseSize } from '../util/duration.js';

/** Commander argument parsers: a bad value becomes a usage error that names the flag (exit 2). */
export function durationArg(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError(isCcError(err) ? err.message : String(err));
  }
}

export function sizeArg(value: string): number {
  try {
    return parseSize(value);
  } catch (err) {
    throw new InvalidArgumentError(isCcError(err) ? err.message : String(err));
  }
}

export function positiveIntArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive whole number, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function portArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
