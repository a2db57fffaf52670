/** Received chunks not yet consumed by a parser; takes bytes copying only when they span chunks. */
export class ChunkQueue {
  private chunks: Buffer[] = [];
  /** Bytes held. */
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  clear(): void {
    this.chunks = [];
    this.length = 0;
  }

  /** Takes `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0] as Buffer;
    this.length -= n;
    if (first.length === n) return this.chunks.shift() as Buffer;
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0] as Buffer;
      const t = Math.min(c.length, n - off);
      c.copy(out, off, 0, t);
      off += t;
      if (t === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(t);
    }
    return out;
  }

  /** Drops `n` bytes (n ≤ length) without copying. */
  skip(n: number): void {
    this.length -= n;
    while (n > 0) {
      const c = this.chunks[0] as Buffer;
      if (c.length <= n) {
        n -= c.length;
        this.chunks.shift();
      } else {
        this.chunks[0] = c.subarray(n);
        n = 0;
      }
    }
  }
}
