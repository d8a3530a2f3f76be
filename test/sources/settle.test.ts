// The file source reacts to a change at once, but never applies a write in progress as the deletion of a
// file's objects: truncated, half-written, vanished-and-back files wait until they settle. "Applied at once"
// is checked with a settle window this test never reaches (10 min): applied at all means not held back, on
// a machine however loaded. "Held back" uses a 1 s window and is checked against it from below.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../src/sources/files.js';
import type { ResourceEvent } from '../../src/core/ports.js';
import { eventually } from '../support/http.js';

const SETTLE_MS = 1_000;
/** Longer than any test here runs: a change applied under this window was applied without settling. */
const NEVER_SETTLES_MS = 10 * 60_000;
const route = (name: string, path = `/${name}`) =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: ns}\nspec: {rules: [{matches: [{path: {value: ${path}}}]}]}\n`;
const routes = (...names: string[]) => names.map((n) => route(n)).join('---\n');
/** A writer that pauses halfway (the scenario itself: the source must not apply what it sees meanwhile). */
const writerPauses = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits past the settle window: a doubtful read is applied by then, so anything not applied never will be. */
const pastSettleWindow = () => new Promise((r) => setTimeout(r, SETTLE_MS + 200));

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

  async function startSource(settleMs: number): Promise<void> {
    dir = await mkdtemp(join(tmpdir(), 'tgw-settle-'));
    await writeFile(join(dir, 'routes.yaml'), routes('a', 'b', 'c'));
    events = [];
    errors = [];
    source = new FileSource({ root: dir, settle: { settleMs } });
    await source.start({
      onEvent: (e) => events.push({ ...e, at: performance.now() }),
      onSynced: () => {},
      onError: (e) => errors.push(e),
    });
  }

  afterEach(async () => {
    await source.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('at once (under a settle window no test here reaches)', () => {
    beforeEach(() => startSource(NEVER_SETTLES_MS));

    it('applies a complete new file at once, without waiting for the settle window', async () => {
      await writeFile(join(dir, 'd.yaml'), route('d'));
      await eventually(async () => names().includes('d'));
    });

    it('applies a changed path at once', async () => {
      await writeFile(join(dir, 'routes.yaml'), [route('a', '/a2'), route('b'), route('c')].join('---\n'));
      await eventually(async () => pathOf('a') === '/a2');
      expect(deletes()).toEqual([]);
    });

    it('applies a file renamed into place (atomic save) at once', async () => {
      await writeFile(join(dir, '.tmp-save'), [route('a', '/a6'), route('b'), route('c')].join('---\n'));
      await rename(join(dir, '.tmp-save'), join(dir, 'routes.yaml'));
      await eventually(async () => pathOf('a') === '/a6');
      expect(deletes()).toEqual([]);
    });
  });

  describe(`only once a doubtful read has settled (${SETTLE_MS} ms)`, () => {
    beforeEach(() => startSource(SETTLE_MS));

    it('does not delete the objects of a file that is truncated and then written', async () => {
      const handle = await open(join(dir, 'routes.yaml'), 'w'); // truncates: the file is empty for a while
      await writerPauses(100);
      await handle.writeFile([route('a', '/a3'), route('b'), route('c')].join('---\n'));
      await handle.close();
      await eventually(async () => pathOf('a') === '/a3');
      expect(deletes()).toEqual([]);
      expect(names()).toEqual(['a', 'b', 'c']);
    });

    it('does not delete the objects a half-written file does not hold yet', async () => {
      const handle = await open(join(dir, 'routes.yaml'), 'w');
      await handle.write(`${route('a', '/a4')}---\n`); // a complete first document, then a pause mid-write
      await writerPauses(150);
      await handle.write([route('b'), route('c')].join('---\n'));
      await handle.close();
      await eventually(async () => pathOf('a') === '/a4');
      await pastSettleWindow();
      expect(deletes()).toEqual([]);
      expect(names()).toEqual(['a', 'b', 'c']);
    });

    it('does not apply a document cut in the middle of a line', async () => {
      // Block style: cut after "/abc" it is still valid YAML, with the wrong path.
      const full =
        'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: d\n  namespace: ns\nspec:\n  rules:\n    - matches:\n        - path:\n            value: /abcdef\n';
      const handle = await open(join(dir, 'd.yaml'), 'w');
      await handle.write(full.slice(0, full.indexOf('def')));
      await writerPauses(150);
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
      await writerPauses(100);
      await writeFile(join(dir, 'routes.yaml'), [route('a', '/a5'), route('b'), route('c')].join('---\n'));
      await eventually(async () => pathOf('a') === '/a5');
      expect(deletes()).toEqual([]);
      await unlink(join(dir, 'routes.yaml'));
      await eventually(async () => names().length === 0, SETTLE_MS * 5);
      expect(deletes().sort()).toEqual(['a', 'b', 'c']);
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
});
