// bin/tunnel-gateway.mjs runs dist/ only while it is current: a dev clone (where `npm ci` built dist/) must
// never run a stale build, in particular the tests, which spawn the CLI through the bin (test/support/cli.ts).
// A miniature clone in a temp dir: its "dist" and "source" CLIs print which one ran.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ROOT } from './support/render.js';

let root: string;
const past = new Date(Date.now() - 60_000);
const later = new Date(Date.now() - 30_000);

function write(path: string, text: string, at = past): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
  utimesSync(join(root, path), at, at);
}

function touch(path: string, at: Date): void {
  utimesSync(join(root, path), at, at);
}

function run(env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [join(root, 'bin/tunnel-gateway.mjs')], {
    env: { ...process.env, TUNNEL_GATEWAY_FROM_SOURCE: '', ...env },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tg-bin-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(ROOT, 'bin/tunnel-gateway.mjs'), join(root, 'bin/tunnel-gateway.mjs'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules')); // tsx, for the source path
  write('package.json', '{"type":"module"}');
  write('tsconfig.json', '{}');
  write('src/cli.ts', "const from: string = 'source';\nconsole.log(from);\n");
  write('machines/m.ts', 'export {};\n');
  write('proxy/p.ts', 'export {};\n');
  write('dist/src/cli.js', "console.log('dist');\n");
  write('dist/.built', '', later);
  for (const dir of ['src', 'machines', 'proxy']) touch(dir, past);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('bin/tunnel-gateway.mjs', () => {
  it('runs dist/ when no source is newer than the last successful build', () => {
    expect(run()).toBe('dist');
  });

  it('runs the sources when a source file, a new file or tsconfig.json is newer than the build', () => {
    touch('proxy/p.ts', new Date());
    expect(run()).toBe('source');
    touch('proxy/p.ts', past);
    write('machines/new.ts', 'export {};\n', new Date());
    expect(run()).toBe('source');
    rmSync(join(root, 'machines/new.ts'));
    touch('machines', new Date()); // what deleting a file does to its folder
    expect(run()).toBe('source');
    touch('machines', past);
    touch('tsconfig.json', new Date());
    expect(run()).toBe('source');
  });

  it('runs the sources when the last build did not finish (no dist/.built) or when asked to', () => {
    expect(run({ TUNNEL_GATEWAY_FROM_SOURCE: '1' })).toBe('source');
    rmSync(join(root, 'dist/.built'));
    expect(run()).toBe('source');
  });

  it('runs dist/ without tsx where there are no sources (the image)', () => {
    for (const path of ['src', 'machines', 'proxy', 'node_modules']) rmSync(join(root, path), { recursive: true });
    expect(run()).toBe('dist');
  });

  it('is what `npm test` runs after building, so the suite never spawns a stale build', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.test).toMatch(/npm run build && npm run jest/);
    expect(scripts.prepare).toBe('node scripts/build.mjs --prepare');
  });
});
