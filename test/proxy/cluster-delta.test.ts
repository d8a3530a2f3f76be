// Config deltas between the cluster primary and a worker: rebuilding always gives the sent config, and a
// delta against a config the worker does not hold is refused (the primary then sends the whole config).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { applyDelta, diffConfig } from '../../proxy/cluster/delta.js';
import type { PreparedConfig } from '../../proxy/config/prepared.js';

const texts = fc.array(fc.constantFrom('{"id":"a"}', '{"id":"b"}', '{"id":"c"}', '{"id":"d"}', '{"id":"e"}'), {
  maxLength: 12,
});
const config = (version: string, rules: string[], hosts: string[], generation?: number): PreparedConfig => ({
  version,
  generation,
  rules,
  hosts,
});

describe('config deltas', () => {
  it('rebuild exactly the config they were made for, whatever the base', () => {
    fc.assert(
      fc.property(texts, texts, texts, texts, (baseRules, baseHosts, nextRules, nextHosts) => {
        const base = config('v1', baseRules, baseHosts, 1);
        const next = config('v2', nextRules, nextHosts, 2);
        expect(applyDelta(base, diffConfig(base, next))).toEqual(next);
      }),
    );
  });

  it('carry the listener ports, or their absence', () => {
    const base = config('v1', [], ['{"h":1}']);
    const next = { ...config('v2', [], ['{"h":1}']), listenerPorts: [80, 8080] };
    expect(applyDelta(base, diffConfig(base, next))).toEqual(next);
    expect(applyDelta(next, diffConfig(next, base))).toEqual(base);
  });

  it('send a text the base holds as its index: in place, or moved when many moved', () => {
    const rules = Array.from({ length: 20 }, (_, i) => `{"id":"r${i}"}`);
    const base = config('v1', rules, ['{"h":1}']);
    // One rule changed in place: the others by index, the new text whole.
    const changed = rules.map((r, i) => (i === 5 ? '{"id":"new"}' : r));
    expect(diffConfig(base, config('v2', changed, ['{"h":1}']))).toMatchObject({
      base: 'v1',
      version: 'v2',
      rules: rules.map((_, i) => (i === 5 ? '{"id":"new"}' : i)),
      hosts: [0],
    });
    // Every rule one place later behind a new first one: found where they were.
    expect(diffConfig(base, config('v2', ['{"id":"new"}', ...rules], [])).rules).toEqual([
      '{"id":"new"}',
      ...rules.map((_, i) => i),
    ]);
  });

  it('are refused against another base, or none', () => {
    const base = config('v1', ['{"id":"a"}'], []);
    const delta = diffConfig(base, config('v2', ['{"id":"a"}'], []));
    expect(() => applyDelta(config('v0', ['{"id":"a"}'], []), delta)).toThrow(
      'config delta against v1, but this worker holds v0',
    );
    expect(() => applyDelta(null, delta)).toThrow('holds none');
    expect(() => applyDelta(base, { ...delta, rules: [3] })).toThrow('past the 1 held');
  });
});
