// The embedded replica's view of a data plane that starts beside the control plane (src/runtime/
// local-replica.ts, whenStarted): calls before the start wait for it; once it is up a push is handed over in
// the caller's own turn, not behind the rest of that turn's work.
import { describe, expect, it } from '@jest/globals';
import { whenStarted, type LocalProxy } from '../../src/runtime/local-replica.js';

function recordingProxy() {
  const pushed: unknown[] = [];
  const proxy: LocalProxy = {
    applySharedConfig: (config) => {
      pushed.push(config);
      return Promise.resolve({ ok: true, version: 'v' });
    },
    current: () => null,
  };
  return { proxy, pushed };
}

describe('whenStarted', () => {
  it('hands a push to a started proxy in the same turn', async () => {
    const { proxy, pushed } = recordingProxy();
    const local = whenStarted(Promise.resolve(proxy));
    await new Promise((r) => setImmediate(r));
    void local.applySharedConfig({ version: 'a' });
    expect(pushed).toEqual([{ version: 'a' }]);
  });

  it('holds a push made before the start until the proxy is up, then hands it over', async () => {
    const { proxy, pushed } = recordingProxy();
    let start!: (p: LocalProxy) => void;
    const local = whenStarted(new Promise<LocalProxy>((r) => (start = r)));
    const result = local.applySharedConfig({ version: 'early' });
    await new Promise((r) => setImmediate(r));
    expect(pushed).toEqual([]);
    start(proxy);
    expect(await result).toEqual({ ok: true, version: 'v' });
    expect(pushed).toEqual([{ version: 'early' }]);
  });
});
