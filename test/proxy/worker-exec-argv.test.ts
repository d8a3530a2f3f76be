// The flags a cluster primary forks its workers with (proxy/cluster/primary.ts): its own, plus V8's
// semi-space cap unless they already set one.
import { describe, expect, it } from '@jest/globals';
import { workerExecArgv } from '../../proxy/cluster/primary.js';

describe('workerExecArgv', () => {
  it("adds the 8 MiB semi-space cap after the primary's own flags", () => {
    expect(workerExecArgv(['--enable-source-maps'], '')).toEqual(['--enable-source-maps', '--max-semi-space-size=8']);
    expect(workerExecArgv([], '--max-old-space-size=512')).toEqual(['--max-semi-space-size=8']);
  });

  it("keeps an operator's own semi-space size (NODE_OPTIONS or the command line)", () => {
    expect(workerExecArgv(['--max-semi-space-size=32'], '')).toEqual(['--max-semi-space-size=32']);
    expect(workerExecArgv(['--max-semi-space-size', '2'], '')).toEqual(['--max-semi-space-size', '2']);
    expect(workerExecArgv(['--inspect'], '--trace-gc --max-semi-space-size=2')).toEqual(['--inspect']);
  });

  it("leaves the primary's array as it was", () => {
    const own = ['--inspect'];
    workerExecArgv(own, '');
    expect(own).toEqual(['--inspect']);
  });
});
