import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (where package.json, schemas/ and scenarios/ are), found from this file
 * whether it runs from src/ (tests, tsx) or dist/src/ (the built CLI).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('cannot find the chat-conform package root (package.json beside schemas/)');
}
