import type { TypeNames } from '../shared/choices.js';

/** MessagePack type names as OpenIRC's `given_type` reports them by default (openirc.D3). */
export function msgpackTypeName(value: unknown): keyof TypeNames {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'string') return 'string';
  if (value instanceof Uint8Array) return 'binary';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Map || Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) return 'map';
  return 'extension';
}

export function isInt32NonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2_147_483_647;
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return msgpackTypeName(value) === 'map' && !(value instanceof Map);
}

export interface InvalidType {
  kind: 'invalid_type';
  context: string;
  given_type: string;
  required_type: string;
}

/** `names`: the server's `given_type` vocabulary (choices.ts). */
export function invalidType(context: string, given: unknown, required: string, names: TypeNames): InvalidType {
  return { kind: 'invalid_type', context, given_type: names[msgpackTypeName(given)], required_type: required };
}
