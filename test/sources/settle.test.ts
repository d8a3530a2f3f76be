// The file source reacts to a change at once, but never applies a write in progress as the deletion of a
// file's objects: truncated, half-written, vanished-and-back files wait until they settle. A long settle
// window (1 s) makes "applied at once" and "held back" tell apart on a loaded machine.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../src/sources/files.js';
import type { ResourceEvent } from '../../src/core/ports.js';
import { eventually } from '../support/http.js';

const SETTLE_MS = 1_000;
const route = (name: string, path = `/${name}`) =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: ns}\nspec: {rules: [{matches: [{path: {value: ${path}}}]}]}\n`;
const routes = (...names: string[]) => names.map((n) => route(n)).join('---\n');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FileSource: when a changed file is applied', () => {
  let dir: string;
  let source: FileSource;
  let events: Array<ResourceEvent & { at: number }>;
  let errors: Error[];
  const names = () =>
    source
      .snapshot()
      .httpRoutes.map((r) => r.metadata.name)
      .sort();
  const deletes = () => events.filter((e) => e.type === 'delete').map((e) => e.object.metadata.name);
  const pathOf = (name: string) => {
    const r = source.snapshot().httpRoutes.find((x) => x.metadata.name === name);
    return (r?.spec as { rules: Array<{ matches: Array<{ path: { value: string } }> }> } | undefined)?.rules[0]!
      .matches[0]!.path.value;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tgw-settle-'));
    await writeFile(join(dir, 'routes.yaml'), routes('a', 'b', 'c'));
    events = [];
    errors = [];
    source = new FileSource({ root: dir, settle: { settleMs: SETTLE_MS } });
    await source.start({
      onEvent: (e) => events.push({ ...e, at: performance.now() }),
      onSynced: () => {},
      onError: (e) => errors.push(e),
    });
  });

  afterEach(async () => {
    await source.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a complete new file at once, without waiting for the settle window', async () => {
    const started = performance.now();
    await writeFile(join(dir, 'd.yaml'), route('d'));
    await eventually(async () => names().includes('d'));
    expect(performance.now() - started).toBeLessThan(SETTLE_MS);
  });

  it('applies a changed path at once', async () => {
    const started = performance.now();
    await writeFile(join(dir, 'routes.yaml'), [route('a', '/a2'), route('b'), route('c')].join('---\n'));
    await eventually(async () => pathOf('a') === '/a2');
    expect(performance.now() - started).toBeLessThan(SETTLE_MS);
    expect(deletes()).toEqual([]);
  });

  it('does not delete the objects of a file that is truncated and then written', async () => {
    const handle = await open(join(dir, 'routes.yaml'), 'w'); // truncates: the file is empty for a while
    await pause(100);
    await handle.writeFile([route('a', '/a3'), route('b'), route('c')].join('---\n'));
    await handle.close();
    await eventually(async () => pathOf('a') === '/a3');
    expect(deletes()).toEqual([]);
    expect(names()).toEqual(['a', 'b', 'c']);
  });

  it('does not delete the objects a half-written file does not hold yet', async () => {
    const handle = await open(join(dir, 'routes.yaml'), 'w');
    await handle.write(`${route('a', '/a4')}---\n`); // a complete first document, then a pause mid-write
    await pause(150);
    await handle.write([route('b'), route('c')].join('---\n'));
    await handle.close();
    await eventually(async () => pathOf('a') === '/a4');
    await pause(SETTLE_MS + 200);
    expect(deletes()).toEqual([]);
    expect(names()).toEqual(['a', 'b', 'c']);
  });

  it('does not apply a document cut in the middle of a line', async () => {
    // Block style: cut after "/abc" it is still valid YAML, with the wrong path.
    const full =
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: d\n  namespace: ns\nspec:\n  rules:\n    - matches:\n        - path:\n            value: /abcdef\n';
    const handle = await open(join(dir, 'd.yaml'), 'w');
    await handle.write(full.slice(0, full.indexOf('def')));
    await pause(150);
    expect(names()).not.toContain('d');
    await handle.write(full.slice(full.indexOf('def')));
    await handle.close();
    await eventually(async () => pathOf('d') === '/abcdef');
    expect(events.filter((e) => e.object.metadata.name === 'd').length).toBe(1);
  });

  it('applies a real removal of documents, but only once the file has settled', async () => {
    const started = performance.now();
    await writeFile(join(dir, 'routes.yaml'), routes('a'));
    await eventually(async () => deletes().length === 2, SETTLE_MS * 5);
    expect(deletes().sort()).toEqual(['b', 'c']);
    expect(events.find((e) => e.type === 'delete')!.at - started).toBeGreaterThanOrEqual(SETTLE_MS - 50);
    expect(names()).toEqual(['a']);
  });

  it('keeps the objects of a file replaced by remove-then-create (an editor saving), and deletes a file really removed', async () => {
    await unlink(join(dir, 'routes.yaml'));
    await pause(100);
    await writeFile(join(dir, 'routes.yaml'), [route('a', '/a5'), route('b'), route('c')].join('---\n'));
    await eventually(async () => pathOf('a') === '/a5');
    expect(deletes()).toEqual([]);
    await unlink(join(dir, 'routes.yaml'));
    await eventually(async () => names().length === 0, SETTLE_MS * 5);
    expect(deletes().sort()).toEqual(['a', 'b', 'c']);
  });

  it('applies a file renamed into place (atomic save) at once', async () => {
    await writeFile(join(dir, '.tmp-save'), [route('a', '/a6'), route('b'), route('c')].join('---\n'));
    const started = performance.now();
    await rename(join(dir, '.tmp-save'), join(dir, 'routes.yaml'));
    await eventually(async () => pathOf('a') === '/a6');
    expect(performance.now() - started).toBeLessThan(SETTLE_MS);
    expect(deletes()).toEqual([]);
  });

  it('reports a file that stops parsing once it has settled, keeping its objects', async () => {
    await writeFile(join(dir, 'routes.yaml'), 'kind: HTTPRoute\nmetadata: [broken\n');
    await eventually(async () => errors.length > 0, SETTLE_MS * 5);
    expect(errors[0]!.message).toMatch(/routes\.yaml:2: /);
    expect(names()).toEqual(['a', 'b', 'c']);
  });

  it('picks up a new folder and the files in it, and drops them with the folder', async () => {
    await mkdir(join(dir, 'team'));
    await writeFile(join(dir, 'team', 'e.yaml'), route('e'));
    await eventually(async () => names().includes('e'));
    await writeFile(join(dir, 'team', 'e.yaml'), route('e', '/e2'));
    await eventually(async () => pathOf('e') === '/e2');
    await rm(join(dir, 'team'), { recursive: true });
    await eventually(async () => !names().includes('e'), SETTLE_MS * 5);
  });
});
