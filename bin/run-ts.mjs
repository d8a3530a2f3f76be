#!/usr/bin/env node
// Runs one TypeScript file through tsx (as bin/tunnel-gateway.mjs does for the CLI), passing the
// remaining arguments on: `node bin/run-ts.mjs test/bench/run.ts [args...]`.
import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bin/run-ts.mjs FILE.ts [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(file), ...rest];
// Cluster workers forked by the script start through this file too, so tsx is registered there as well.
if (cluster.isPrimary) cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: [file, ...rest] });
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(resolve(file)).href);
