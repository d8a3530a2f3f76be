// How a changed manifest file is read: a write that lands between the read and the check after it is seen
// (the read is not applied, the file is read again), a file whose size fstat under-reports (procfs) is read
// whole, and a file that did not grow takes one read. The write "between" is made by the real stat the
// settler calls after its read: node:fs/promises is the real module but for that one call.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const real = await import('node:fs/promises');
/** Runs once, just before the next stat of its file: a writer landing between the read and the check. */
let beforeNextStat: { file: string; write: () => void } | undefined;
jest.unstable_mockModule('node:fs/promises', () => ({
  ...real,
  stat: (path: string, options?: object) => {
    const hook = beforeNextStat;
    if (hook && hook.file === path) {
      beforeNextStat = undefined;
      hook.write();
    }
    return real.stat(path, options as never);
  },
}));
const { FileSettler } = await import('../../src/sources/settle.js');
const { eventually } = await import('../support/http.js');
const { readBounded } = await import('../../src/sources/read-bounded.js');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tgw-read-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settler() {
  const applied: string[] = [];
  const s = new FileSettler(
    {
      parse: async (text) => [{ apiVersion: 'v1', kind: 'Text', metadata: { name: text.trim() } }],
      drops: () => false,
      apply: (_file, objects) => applied.push(...objects.map((o) => o.metadata.name)),
      fail: (_file, message) => applied.push(`failed ${message}`),
      skip: (_file, reason) => applied.push(`skipped ${reason}`),
    },
    { settleMs: 60_000, retryMs: 1 },
  );
  return { s, applied };
}

describe('reading a changed manifest file', () => {
  it('does not apply a read the file changed under: it reads again and applies the new text', async () => {
    const file = join(dir, 'moving.yaml');
    writeFileSync(file, 'first\n');
    const { s, applied } = settler();
    beforeNextStat = { file, write: () => writeFileSync(file, 'second, longer\n') };
    s.changed(file);
    await eventually(async () => applied.length > 0, 10_000, 5);
    expect(beforeNextStat).toBeUndefined();
    expect(applied).toEqual(['second, longer']);
    s.close();
  });

  it('applies a read the file did not change under, at once', async () => {
    const file = join(dir, 'still.yaml');
    writeFileSync(file, 'still\n');
    const { s, applied } = settler();
    s.changed(file);
    await eventually(async () => applied.length > 0, 10_000, 5);
    expect(applied).toEqual(['still']);
    s.close();
  });

  it('reads a regular file whose size fstat reports as 0 (procfs) whole', async () => {
    const read = await readBounded('/proc/self/cmdline', 1 << 20);
    expect(read.kind).toBe('text');
    expect(read.kind === 'text' && read.text).toBe(readFileSync('/proc/self/cmdline', 'utf8'));
    expect(readFileSync('/proc/self/cmdline', 'utf8').length).toBeGreaterThan(1);
  });

  it('reads a file that did not grow with one read (each is a round trip through the thread pool)', async () => {
    const file = join(dir, 'one-read.yaml');
    writeFileSync(file, 'x'.repeat(200_000));
    const handle = await real.open(file);
    const proto = Object.getPrototypeOf(handle) as { read: (...args: unknown[]) => unknown };
    await handle.close();
    const reads = jest.spyOn(proto, 'read');
    const read = await readBounded(file, 1 << 20);
    expect(read.kind === 'text' && read.text.length).toBe(200_000);
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
  });
});
