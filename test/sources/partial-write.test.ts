// A writer that truncates a manifest file before writing it (cp, a shell redirect, fs.writeFile) is read
// half-way: the empty read is held back (settle.ts), and the complete one that follows must parse only the
// document that changed, as if the empty read had never happened (doc-cache.ts). It parsed every document.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../src/sources/files.js';
import { capturingLogger } from '../support/capture-log.js';
import { eventually } from '../support/http.js';

const DOCS = 20;
const route = (i: number, path: string) =>
  `kind: HTTPRoute\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: r${i}, namespace: ns}\nspec: {rules: [{matches: [{path: {value: ${path}}}]}]}\n`;
const file = (changed?: number) =>
  Array.from({ length: DOCS }, (_, i) => route(i, i === changed ? '/changed' : `/p${i}`)).join('---\n');

describe('a manifest file read half-way through a rewrite', () => {
  let dir: string;
  let source: FileSource;
  let log: ReturnType<typeof capturingLogger>;
  const parses = () => log.lines.filter((l) => l.msg === 'manifest file parsed');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tgw-partial-'));
    await writeFile(join(dir, 'routes.yaml'), file());
    log = capturingLogger('debug');
    // Long enough that the empty read is never applied: it stays held back until the full text replaces it.
    source = new FileSource({ root: dir, logger: log.logger, settle: { settleMs: 10_000 } });
    await source.start({ onEvent: () => undefined, onSynced: () => undefined, onError: () => undefined });
  });

  afterEach(async () => {
    await source.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('parses only the changed document once the file is whole again', async () => {
    expect(parses().at(-1)).toMatchObject({ documents: DOCS, parsed: DOCS });
    const before = parses().length;
    await writeFile(join(dir, 'routes.yaml'), '');
    // The empty read was parsed (and held back: every route is still served).
    await eventually(async () =>
      parses()
        .slice(before)
        .some((l) => l.documents === 0 || l.documents === 1),
    );
    expect(source.snapshot().httpRoutes).toHaveLength(DOCS);
    const afterEmpty = parses().length;
    await writeFile(join(dir, 'routes.yaml'), file(3));
    const path3 = () =>
      (source.snapshot().httpRoutes.find((r) => r.metadata.name === 'r3')?.spec as { rules: unknown[] } | undefined)
        ?.rules;
    await eventually(async () => JSON.stringify(path3()).includes('/changed'));
    // However many times the whole file was read (an event per write), one document was parsed in all.
    const reads = parses().slice(afterEmpty);
    expect(reads.at(-1)).toMatchObject({ documents: DOCS });
    expect(reads.reduce((sum, l) => sum + (l.parsed as number), 0)).toBe(1);
    expect(source.snapshot().httpRoutes).toHaveLength(DOCS);
  });
});
