// A translator that works in steps (translateSteps) is run in slices: the process's event loop — in
// standalone, the embedded proxy's — gets turns between them; the translate-duration metric records the
// steps' own time once per sync; and a control plane stopped mid-sync stops translating.
import { afterEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createControlPlane, type ControlPlane } from '../../src/runtime/control-plane.js';
import type { DesiredState, Snapshot } from '../../src/core/types.js';
import { AcceptingReplica, EditableSource, eventually, fakeTranslate, RecordingSink } from './doubles.js';

const STEPS = 40;
const STEP_MS = 2;

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** A recording of one stepwise translation: steps run, and whether a macrotask ran before its last step. */
class SteppedTranslator {
  steps = 0;
  macrotaskBeforeLastStep = false;

  *translate(snapshot: Snapshot, steps = STEPS): Generator<void, DesiredState, undefined> {
    let macrotaskRan = false;
    setTimeout(() => (macrotaskRan = true), 0);
    for (let i = 0; i < steps; i++) {
      busy(STEP_MS);
      this.steps++;
      if (i === steps - 1) this.macrotaskBeforeLastStep = macrotaskRan;
      yield;
    }
    return fakeTranslate(snapshot);
  }
}

let replica = new AcceptingReplica();
let pushed = replica.pushed;

let cp: ControlPlane | undefined;
afterEach(async () => {
  await cp?.stop();
  cp = undefined;
  replica = new AcceptingReplica();
  pushed = replica.pushed;
});

function start(translate: (s: Snapshot) => Generator<void, DesiredState, undefined>, metrics?: Registry) {
  const source = new EditableSource();
  source.setRoute('a', { hostname: 'a.example.com' });
  cp = createControlPlane({ source, translate, statusSink: new RecordingSink(), metrics });
  cp.setReplicas([{ id: 'r1', ready: true, client: replica }]);
  return { source, cp };
}

describe('a translation in steps', () => {
  it('lets the event loop run between its steps and delivers its result', async () => {
    const t = new SteppedTranslator();
    const { source, cp } = start((s) => t.translate(s));
    await cp.start();
    await eventually(() => pushed.length === 1);
    expect(t.steps).toBe(STEPS);
    // 40 steps of 2 ms: run in one go, a timer queued at the first step could only fire after the last.
    expect(t.macrotaskBeforeLastStep).toBe(true);
    expect(pushed[0]).toBe(fakeTranslate(source.snapshot()).proxyConfig.version);
  });

  it("records one translate duration per sync: the steps' own time", async () => {
    const registry = new Registry();
    const t = new SteppedTranslator();
    const { cp } = start((s) => t.translate(s), registry);
    await cp.start();
    await eventually(() => pushed.length === 1);
    const metric = await registry.getSingleMetric('tunnel_gateway_translate_duration_seconds')!.get();
    const values = metric.values as Array<{ metricName?: string; value: number }>;
    const value = (name: string) => values.find((v) => v.metricName === name)!.value;
    expect(value('tunnel_gateway_translate_duration_seconds_count')).toBe(cp.stats().syncs);
    expect(value('tunnel_gateway_translate_duration_seconds_sum')).toBeGreaterThanOrEqual((STEPS * STEP_MS) / 1000);
  });

  it('stops with the control plane', async () => {
    const t = new SteppedTranslator();
    const { cp } = start((s) => t.translate(s, 100_000));
    await cp.start();
    await eventually(() => t.steps > 0);
    await cp.stop();
    const atStop = t.steps;
    await new Promise((r) => setTimeout(r, 50));
    expect(t.steps - atStop).toBeLessThanOrEqual(1); // at most the step in flight when the slice ends
    expect(pushed).toEqual([]);
  });
});
