/** Client frames (RFC 6455 §5.2): a client masks every frame it sends (§5.3). */
import { randomFillSync } from 'node:crypto';

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

const maskPool = Buffer.alloc(4 * 256);
let maskOffset = maskPool.length;

function nextMask(): Buffer {
  if (maskOffset === maskPool.length) {
    randomFillSync(maskPool);
    maskOffset = 0;
  }
  const m = maskPool.subarray(maskOffset, maskOffset + 4);
  maskOffset += 4;
  return m;
}

/** One masked frame with the minimal length encoding. */
export function encodeClientFrame(opcode: number, payload: Uint8Array, fin = true): Buffer {
  const len = payload.byteLength;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const headerLen = 2 + lenBytes + 4;
  const out = Buffer.allocUnsafe(headerLen + len);
  out[0] = (fin ? 0x80 : 0) | opcode;
  if (lenBytes === 0) out[1] = 0x80 | len;
  else if (lenBytes === 2) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    out.writeUInt32BE(len >>> 0, 6);
  }
  const mask = nextMask();
  const m = 2 + lenBytes;
  out[m] = mask[0] as number;
  out[m + 1] = mask[1] as number;
  out[m + 2] = mask[2] as number;
  out[m + 3] = mask[3] as number;
  for (let i = 0; i < len; i++) out[headerLen + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return out;
}

/** The payload of a close frame: a 2-byte code and a UTF-8 reason. */
export function closePayload(code: number | undefined, reason = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const r = Buffer.from(reason);
  const out = Buffer.allocUnsafe(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

/** Close codes a peer may put on the wire (§7.4.1, §7.4.2; IANA registry up to 1014). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}
