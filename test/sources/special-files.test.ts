// Special files in the manifests folder: FIFOs, devices and oversized files are skipped (and logged, with
// the file and the reason) without blocking and without reading them whole; hot reload keeps working with
// them present. Symlinks to regular files are followed, at start as on change (ConfigMap volumes).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FileSource, loadManifests } from '../../src/sources/files.js';
import { capturingLogger } from '../support/capture-log.js';
import { eventually } from '../support/http.js';

const route = (name: string) =>
  `kind: HTTPRoute\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: ${name}, namespace: ns}\nspec: {rules: [{matches: [{path: {value: /${name}}}]}]}\n`;

const mkfifo = (path: string) => execFileSync('mkfifo', [path]);

describe('FileSource with special files', () => {
  let dir: string;
  let source: FileSource | undefined;
  let log: ReturnType<typeof capturingLogger>;
  const routes = () =>
    source!
      .snapshot()
      .httpRoutes.map((r) => r.metadata.name)
      .sort();
  const skipped = (file: string) =>
    log.lines.find((l) => l.file === join(dir, file) && l.msg === 'manifest file skipped');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tgw-special-'));
    log = capturingLogger();
  });
  afterEach(async () => {
    await source?.stop();
    source = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function start(maxFileBytes?: number): Promise<void> {
    source = new FileSource({ root: dir, logger: log.logger, maxFileBytes });
    await source.start({ onEvent: () => undefined, onSynced: () => undefined, onError: () => undefined });
  }

  it('skips FIFOs and a symlink to /dev/zero at start, saying why, and loads the rest', async () => {
    await writeFile(join(dir, 'a.yaml'), route('a'));
    for (const n of [1, 2, 3, 4]) mkfifo(join(dir, `pipe${n}.yaml`));
    await symlink('/dev/zero', join(dir, 'zero.yaml'));
    await start();
    expect(routes()).toEqual(['a']);
    expect(skipped('pipe1.yaml')?.reason).toMatch(/not a regular file \(FIFO\)/);
    expect(skipped('zero.yaml')?.reason).toMatch(/not a regular file \(character device\)/);
  });

  it('keeps hot reload working after four FIFOs and a /dev/zero symlink appear', async () => {
    await start();
    for (const n of [1, 2, 3, 4]) mkfifo(join(dir, `pipe${n}.yaml`));
    await symlink('/dev/zero', join(dir, 'zero.yaml'));
    await eventually(
      async () => [1, 2, 3, 4].every((n) => skipped(`pipe${n}.yaml`)) && skipped('zero.yaml') !== undefined,
    );
    const heapBefore = process.memoryUsage().heapUsed;
    await writeFile(join(dir, 'b.yaml'), route('b'));
    await eventually(async () => routes().includes('b'));
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('skips a Unix socket named like a manifest', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'sock.yaml'), resolve));
    try {
      await writeFile(join(dir, 'a.yaml'), route('a'));
      await start();
      expect(routes()).toEqual(['a']);
      expect(skipped('sock.yaml')?.reason).toBe('not a regular file (socket)');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('skips a file over the size limit without applying it, and keeps what it held', async () => {
    await writeFile(join(dir, 'big.yaml'), route('big'));
    await start(4096);
    expect(routes()).toEqual(['big']);
    await writeFile(join(dir, 'big.yaml'), route('big') + `# ${'x'.repeat(8192)}\n---\n${route('extra')}`);
    await eventually(async () => skipped('big.yaml') !== undefined);
    expect(skipped('big.yaml')!.reason).toMatch(/over the 4096-byte limit/);
    expect(routes()).toEqual(['big']);
  });

  it('follows symlinks to regular files at start and on change, as in a ConfigMap volume', async () => {
    // kubelet: files are symlinks through ..data to a hidden timestamped directory.
    await mkdir(join(dir, '..2026_01_01'));
    await writeFile(join(dir, '..2026_01_01', 'app.yaml'), route('app'));
    await symlink('..2026_01_01', join(dir, '..data'));
    await symlink(join('..data', 'app.yaml'), join(dir, 'app.yaml'));
    // A file kept elsewhere, linked in.
    const elsewhere = await mkdtemp(join(tmpdir(), 'tgw-elsewhere-'));
    await writeFile(join(elsewhere, 'shared.yaml'), route('shared'));
    await symlink(join(elsewhere, 'shared.yaml'), join(dir, 'shared.yaml'));
    await start();
    await rm(elsewhere, { recursive: true, force: true });
    expect(routes()).toEqual(['app', 'shared']);
    await writeFile(join(dir, 'target.yaml'), route('linked'));
    await symlink(join(dir, 'target.yaml'), join(dir, 'link.yaml'));
    await eventually(async () => routes().includes('linked'));
  });
});

describe('FileSource on a ConfigMap volume', () => {
  it('picks up an update made the way kubelet makes it (..data swapped to a new hidden directory)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tgw-configmap-'));
    const source = new FileSource({ root: dir });
    try {
      await mkdir(join(dir, '..v1'));
      await writeFile(join(dir, '..v1', 'app.yaml'), route('one'));
      await symlink('..v1', join(dir, '..data'));
      await symlink(join('..data', 'app.yaml'), join(dir, 'app.yaml'));
      await source.start({ onEvent: () => undefined, onSynced: () => undefined, onError: () => undefined });
      expect(source.snapshot().httpRoutes.map((r) => r.metadata.name)).toEqual(['one']);
      await mkdir(join(dir, '..v2'));
      await writeFile(join(dir, '..v2', 'app.yaml'), route('two'));
      await symlink('..v2', join(dir, '..data_tmp'));
      await rename(join(dir, '..data_tmp'), join(dir, '..data'));
      await rm(join(dir, '..v1'), { recursive: true });
      await eventually(
        async () =>
          source
            .snapshot()
            .httpRoutes.map((r) => r.metadata.name)
            .join() === 'two',
      );
    } finally {
      await source.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loadManifests (render)', () => {
  it('refuses a FIFO by name instead of blocking', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tgw-special-'));
    try {
      await writeFile(join(dir, 'a.yaml'), route('a'));
      mkfifo(join(dir, 'pipe.yaml'));
      await expect(loadManifests(dir)).rejects.toThrow(/pipe\.yaml: not a regular file \(FIFO\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
