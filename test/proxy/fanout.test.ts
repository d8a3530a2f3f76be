// The cluster primary's push fan-out (proxy/cluster/fanout.ts) against a pool of listening members that
// record what the primary sends them and answer when the test says (the IPC channel itself is covered by
// cluster.test.ts, with real worker processes). What this pins down: a push with none ahead of it leaves
// for the workers in the caller's own turn, so they compile while the caller goes on with its turn (the
// standalone control plane's verdicts to thousands of actors); pushes that queue keep their arrival order.
import { describe, expect, it } from '@jest/globals';
import type { Worker } from 'node:cluster';
import { ConfigFanout } from '../../proxy/cluster/fanout.js';
import type { ToWorker } from '../../proxy/cluster/messages.js';
import type { Member, WorkerPool } from '../../proxy/cluster/pool.js';
import { silentLogger } from '../../src/log.js';

const config = (version: string, generation: number) => ({
  version,
  generation,
  rules: [{ id: `r-${version}`, kind: 'http', backends: [] }],
  hosts: [{ hostname: 'a.test', matches: [{ match: {}, rule: 0 }] }],
});

function fanoutWithOneWorker() {
  const sent: Array<Extract<ToWorker, { id: number }>> = [];
  const member: Member = { worker: {} as Worker, pid: 1, listening: true, version: null, prepared: null };
  const pool = {
    members: new Set([member]),
    send: (_m: Member, message: ToWorker) => {
      if ('id' in message) sent.push(message);
    },
  } as unknown as WorkerPool;
  const fanout = new ConfigFanout(pool, () => undefined, silentLogger);
  const answer = (k: number) => fanout.settle(member, sent[k]!.id, { ok: true, version: `answered-${sent[k]!.id}` });
  return { fanout, sent, answer };
}

describe('config fan-out to workers', () => {
  it('sends a push with none queued before the caller’s turn ends', () => {
    const { fanout, sent } = fanoutWithOneWorker();
    void fanout.apply(config('a', 1), {}, 'identity');
    expect(sent.map((m) => m.t)).toEqual(['tg.config']);
  });

  it('sends a push that arrives while one runs only once that one is answered, in arrival order', async () => {
    const { fanout, sent, answer } = fanoutWithOneWorker();
    const first = fanout.apply(config('a', 1), {}, 'identity');
    const second = fanout.apply(config('b', 2), {}, 'identity');
    const third = fanout.apply(config('c', 3), {}, 'identity');
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(1);
    answer(0);
    expect(await first).toMatchObject({ ok: true });
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(2);
    answer(1);
    expect(await second).toMatchObject({ ok: true, version: expect.any(String) });
    await new Promise((r) => setImmediate(r));
    answer(2);
    await third;
    // The second and third went as deltas against the config the worker confirmed before them.
    expect(sent.map((m) => m.t)).toEqual(['tg.config', 'tg.delta', 'tg.delta']);
    // And a push after all were answered leaves at once again.
    void fanout.apply(config('d', 4), {}, 'identity');
    expect(sent).toHaveLength(4);
  });
});
