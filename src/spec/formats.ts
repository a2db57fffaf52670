import type { Format } from 'ajv';

interface FormatTarget {
  addFormat(name: string, format: Format): unknown;
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const FLOAT_MAX = 3.4028234663852886e38;

/**
 * The OpenAPI/AsyncAPI number and string formats that ajv-formats does not know. Defined here
 * rather than ignored, so strict mode keeps refusing formats nobody defined.
 */
export const PROTOCOL_FORMATS: Record<string, Format> = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX },
  // Any integer: JSON numbers beyond 2^53 have already lost precision when they are parsed.
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  float: { type: 'number', validate: (n: number) => Number.isFinite(n) && Math.abs(n) <= FLOAT_MAX },
  double: { type: 'number', validate: (n: number) => Number.isFinite(n) },
  // RFC 4648 base64, padded.
  byte: { type: 'string', validate: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/ },
  // Annotations only: any string is acceptable binary (as text) or a password.
  binary: { type: 'string', validate: () => true },
  password: { type: 'string', validate: () => true },
};

export function addProtocolFormats(ajv: FormatTarget): void {
  for (const [name, format] of Object.entries(PROTOCOL_FORMATS)) ajv.addFormat(name, format);
}
