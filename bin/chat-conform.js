#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled library, which `npm install` builds through `prepare`.
let cli;
try {
  cli = await import('../dist/src/cli/main.js');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('chat-conform: CC_ERR_NOT_BUILT the compiled CLI is missing; run `npm install` (or `npm run build`) in the package folder\n');
    process.exit(2);
  }
  throw err;
}
process.exitCode = await cli.main(process.argv);
