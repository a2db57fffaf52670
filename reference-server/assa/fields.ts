/**
 * Readers for the fields of an ASSA request's `data`. A wrong type throws BadField, which the
 * dispatcher turns into a refusal naming the field, with the variant's code (assa.D8).
 */
export class BadField extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

export type Data = Record<string, unknown>;

export function isObject(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** A server-assigned id (room, message, video room, user): a positive integer. */
export function id(data: Data, key: string): number {
  const value = data[key];
  if (!isId(value)) throw new BadField(`data.${key} must be a positive integer`);
  return value;
}

export function ids(data: Data, key: string, options: { nonEmpty?: boolean; optional?: boolean } = {}): number[] {
  const value = data[key];
  if (value === undefined && options.optional) return [];
  if (!Array.isArray(value) || !value.every(isId)) throw new BadField(`data.${key} must be an array of positive integers`);
  if (options.nonEmpty && value.length === 0) throw new BadField(`data.${key} must not be empty`);
  return [...new Set(value as number[])];
}

export function string(data: Data, key: string): string {
  const value = data[key];
  if (typeof value !== 'string') throw new BadField(`data.${key} must be a string`);
  return value;
}

export function optionalString(data: Data, key: string, fallback: string): string {
  const value = data[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw new BadField(`data.${key} must be a string`);
  return value;
}

export function nullableString(data: Data, key: string): string | null {
  const value = data[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new BadField(`data.${key} must be a string or null`);
  return value;
}

export function optionalId(data: Data, key: string): number | null {
  const value = data[key];
  if (value === undefined || value === null) return null;
  if (!isId(value)) throw new BadField(`data.${key} must be a positive integer or null`);
  return value;
}

export function optionalPositive(data: Data, key: string): number | undefined {
  const value = data[key];
  if (value === undefined || value === null) return undefined;
  if (!isId(value)) throw new BadField(`data.${key} must be a positive integer`);
  return value;
}

export function boolean(data: Data, key: string): boolean {
  const value = data[key];
  if (typeof value !== 'boolean') throw new BadField(`data.${key} must be a boolean`);
  return value;
}

export function optionalBoolean(data: Data, key: string): boolean | undefined {
  const value = data[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new BadField(`data.${key} must be a boolean`);
  return value;
}

/** Code points, not UTF-16 units (assa.D2); stops counting once past `limit`. */
export function codePointsOver(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  if (text.length > limit * 2) return true;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    if (++count > limit) return true;
  }
  return false;
}
