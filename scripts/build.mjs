#!/usr/bin/env node
// Compiles the TypeScript to dist/ (tsc, which is also the type-check) and puts next to the output the files
// the code reads at run time: the non-TypeScript files of src/, machines/, proxy/ (debug page assets, …) and
// the one Mermaid bundle the debug page serves, so the image needs no `mermaid` package.
//
//   node scripts/build.mjs            the build (`npm run build`, `npm test`, deploy/Dockerfile); fails on a type error
//   node scripts/build.mjs --prepare  what `npm ci` runs: never fails the install (no TypeScript, e.g.
//                                     `npm ci --omit=dev`, or a type error: it says so and leaves dist/ stale)
//   node scripts/build.mjs --assets-only --out DIR   only the copies, into DIR (test/deploy/dockerfile.test.ts)
//
// On success it writes dist/.built with the time the build STARTED: bin/tunnel-gateway.mjs runs dist/ only
// when no source file is newer than that, so a dev clone never runs a stale build.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const OUT = outFlag > 0 ? resolve(process.argv[outFlag + 1] ?? 'dist') : join(ROOT, 'dist');
/** Source folders compiled to dist/ (tsconfig.json also compiles test/, which nothing runs from dist/). */
const SOURCE_DIRS = ['src', 'machines', 'proxy'];
/** Where the debug page looks for Mermaid first (src/debug-page/routes.ts), relative to dist/. */
const MERMAID_OUT = 'src/debug-page/assets/mermaid.min.js';
const STAMP = '.built';

const prepare = process.argv.includes('--prepare');
const require = createRequire(join(ROOT, 'package.json'));

function note(message) {
  process.stderr.write(`build: ${message}\n`);
}

function resolveOrUndefined(specifier) {
  try {
    return require.resolve(specifier);
  } catch {
    return undefined;
  }
}

/** Every non-TypeScript file under the source folders, copied to the same path under dist/. */
function copyAssets() {
  let copied = 0;
  for (const dir of SOURCE_DIRS) {
    if (!existsSync(join(ROOT, dir))) continue;
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
      const from = join(entry.parentPath, entry.name);
      const to = join(OUT, relative(ROOT, from));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
      copied++;
    }
  }
  return copied;
}

/** The Mermaid bundle (a devDependency) and its licence, next to the debug page's other assets. */
function copyMermaid() {
  const bundle = resolveOrUndefined('mermaid/dist/mermaid.min.js');
  if (bundle === undefined)
    throw new Error('mermaid is not installed: run `npm ci` (it is a devDependency, needed to build)');
  const to = join(OUT, MERMAID_OUT);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(bundle, to);
  const licence = join(dirname(bundle), '..', 'LICENSE');
  if (existsSync(licence)) copyFileSync(licence, `${to}.LICENSE.txt`);
}

function main() {
  if (process.argv.includes('--assets-only')) {
    copyAssets();
    copyMermaid();
    return 0;
  }
  const tscBin = resolveOrUndefined('typescript/bin/tsc');
  if (!existsSync(join(ROOT, 'src')) || tscBin === undefined) {
    if (prepare) {
      note(
        `skipped (${tscBin === undefined ? 'typescript is not installed' : 'no sources'}); the CLI runs from source when it can`,
      );
      return 0;
    }
    note('needs the sources and the devDependencies (npm ci)');
    return 1;
  }
  const started = new Date();
  rmSync(join(OUT, STAMP), { force: true });
  // --incremental keeps a rebuild after a small change to a few seconds; its state lives in dist/, so
  // deleting dist/ also forgets it (tsc would otherwise think the deleted output is up to date).
  const tsc = spawnSync(
    process.execPath,
    [tscBin, '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', join(OUT, '.tsbuildinfo')],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  copyAssets();
  copyMermaid();
  if (tsc.status !== 0) {
    if (prepare) {
      note(
        'tsc reported errors (above); dist/ is left stale, so the CLI runs from source until `npm run build` passes',
      );
      return 0;
    }
    return tsc.status ?? 1;
  }
  writeFileSync(join(OUT, STAMP), `${started.toISOString()}\n`);
  utimesSync(join(OUT, STAMP), started, started);
  return 0;
}

process.exitCode = main();
