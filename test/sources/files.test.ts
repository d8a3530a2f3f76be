import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource, loadManifests } from '../../src/sources/files.js';
import type { ResourceEvent } from '../../src/core/ports.js';
import { eventually } from '../support/http.js';

const route = (name: string, path: string) =>
  `kind: HTTPRoute\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: ${name}, namespace: ns}\nspec: {rules: [{matches: [{path: {value: ${path}}}]}]}\n`;

describe('FileSource', () => {
  let dir: string;
  let source: FileSource;
  let events: ResourceEvent[];
  let errors: Error[];
  let synced: boolean;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tgw-files-'));
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', 'a.yaml'), route('a', '/a'));
    await writeFile(join(dir, 'README.md'), '# not a manifest');
    events = [];
    errors = [];
    synced = false;
    let tick = 0;
    source = new FileSource({ root: dir, now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)) });
    await source.start({
      onEvent: (e) => events.push(e),
      onSynced: () => (synced = true),
      onError: (e) => errors.push(e),
    });
  });

  afterEach(async () => {
    await source.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists nested files before reporting synced, stamping creation time and generation 1', () => {
    expect(synced).toBe(true);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['upsert a']);
    const a = source.snapshot().httpRoutes[0]!;
    expect(a.metadata.generation).toBe(1);
    expect(a.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
  });

  it('bumps generation on a spec change, keeps creationTimestamp, and deletes with the file', async () => {
    await writeFile(join(dir, 'nested', 'a.yaml'), route('a', '/changed'));
    await eventually(async () => source.snapshot().httpRoutes[0]?.metadata.generation === 2);
    expect(source.snapshot().httpRoutes[0]!.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
    await unlink(join(dir, 'nested', 'a.yaml'));
    await eventually(async () => source.snapshot().httpRoutes.length === 0);
    expect(events.at(-1)!.type).toBe('delete');
  });

  it('keeps the previous objects of a file that stops parsing, and reports the error with file:line', async () => {
    await writeFile(join(dir, 'nested', 'a.yaml'), 'kind: HTTPRoute\nmetadata: [broken\n');
    await eventually(async () => errors.length > 0);
    expect(errors[0]!.message).toMatch(/a\.yaml:2: /);
    expect(source.snapshot().httpRoutes.map((r) => r.metadata.name)).toEqual(['a']);
  });

  it('stores written statuses on the objects it serves', async () => {
    await source.write({ kind: 'HTTPRoute', namespace: 'ns', name: 'a', status: { parents: [] } });
    expect(source.snapshot().httpRoutes[0]!.status).toEqual({ parents: [] });
    expect(source.statusOf('HTTPRoute', 'ns', 'a')).toEqual({ parents: [] });
  });
});

describe('loadManifests', () => {
  it('accepts a single file as well as a folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tgw-load-'));
    await writeFile(join(dir, 'one.yml'), route('x', '/x'));
    expect((await loadManifests(join(dir, 'one.yml'))).map((o) => o.metadata.name)).toEqual(['x']);
    expect((await loadManifests(dir)).length).toBe(1);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('FileSource.preload', () => {
  it('parses without applying; start() then applies what is on disk at start, and reports what does not parse', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tgw-preload-'));
    try {
      await writeFile(join(dir, 'a.yaml'), `${route('a', '/a')}---\n${route('b', '/b')}`);
      await writeFile(join(dir, 'gone.yaml'), route('gone', '/gone'));
      await writeFile(join(dir, 'bad.yaml'), 'kind: HTTPRoute\nmetadata: [broken\n');
      const source = new FileSource({ root: dir });
      await source.preload();
      expect(source.snapshot().httpRoutes).toEqual([]);
      // Changed after the preload: start() reads the files again.
      await unlink(join(dir, 'gone.yaml'));
      await writeFile(join(dir, 'a.yaml'), `${route('a', '/a')}---\n${route('b', '/b2')}`);
      const errors: Error[] = [];
      await source.start({ onEvent: () => {}, onSynced: () => {}, onError: (e) => errors.push(e) });
      try {
        const routes = source.snapshot().httpRoutes;
        expect(routes.map((r) => r.metadata.name).sort()).toEqual(['a', 'b']);
        expect(JSON.stringify(routes.find((r) => r.metadata.name === 'b')!.spec)).toContain('/b2');
        expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/bad\.yaml:2: /)]);
      } finally {
        await source.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
