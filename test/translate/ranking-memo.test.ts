// The host rankings' memo (src/translate/ranking-memo.ts) against its rule stated plainly: a prune forgets
// every ranking neither asked for (get), made (set) nor kept (keep) since the prune before. The memo skips the prune's
// walk when the kept lists are the very arrays of the last prune; random sequences that reuse lists (and
// ask for keys outside them) check that the skip never keeps or forgets what the rule would not.
import fc from 'fast-check';
import { RankingMemo } from '../../src/translate/ranking-memo.js';

/** The rule, with no shortcut: what was asked or kept since the last prune, as "port key" strings. */
class PlainMemo {
  private readonly rankings = new Map<string, number>();
  private readonly since = new Set<string>();
  get(port: number, key: string) {
    this.since.add(`${port} ${key}`);
    return this.rankings.get(`${port} ${key}`);
  }
  set(port: number, key: string, value: number) {
    this.since.add(`${port} ${key}`);
    this.rankings.set(`${port} ${key}`, value);
  }
  keep(port: number, keys: readonly string[]) {
    for (const key of keys) this.since.add(`${port} ${key}`);
  }
  prune() {
    for (const k of [...this.rankings.keys()]) if (!this.since.has(k)) this.rankings.delete(k);
    this.since.clear();
  }
}

const PORTS = [80, 443];
const KEYS = ['a.com', 'b.com', '*.com', '*'];
/** Key lists handed to keep: the same arrays again and again, as port-hosts.ts hands a port's unchanged keys. */
const LISTS: ReadonlyArray<readonly string[]> = [['a.com', 'b.com'], ['a.com'], ['*.com', '*'], KEYS, []];

type Op =
  | { op: 'get'; port: number; key: string }
  | { op: 'set'; port: number; key: string; value: number }
  | { op: 'keep'; port: number; list: number }
  | { op: 'prune' };

const port = fc.constantFrom(...PORTS);
const key = fc.constantFrom(...KEYS);
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('get' as const), port, key }),
    fc.record({ op: fc.constant('set' as const), port, key, value: fc.nat() }),
    fc.record({ op: fc.constant('keep' as const), port, list: fc.nat({ max: LISTS.length - 1 }) }),
    fc.record({ op: fc.constant('prune' as const) }),
  ),
  { maxLength: 80 },
);

function run(sequence: Op[]) {
  const memo = new RankingMemo<number>();
  const plain = new PlainMemo();
  for (const o of sequence) {
    if (o.op === 'get') expect(memo.get(o.port, o.key)).toBe(plain.get(o.port, o.key));
    else if (o.op === 'set') [memo, plain].forEach((m) => m.set(o.port, o.key, o.value));
    else if (o.op === 'keep') [memo, plain].forEach((m) => m.keep(o.port, LISTS[o.list]!));
    else [memo, plain].forEach((m) => m.prune());
  }
  // What each holds at the end, read without counting as asked: through a fresh get on both.
  for (const p of PORTS) for (const k of KEYS) expect(memo.get(p, k)).toBe(plain.get(p, k));
}

describe('the host rankings memo', () => {
  it('keeps exactly what was asked for or kept since the last prune, whatever the sequence', () => {
    fc.assert(fc.property(ops, run), { numRuns: 1000 });
  });

  it('forgets a ranking asked for once, outside the kept lists, at the second prune after', () => {
    const memo = new RankingMemo<string>();
    const keys = ['a.com'];
    memo.keep(80, keys);
    memo.get(80, 'b.com');
    memo.set(80, 'b.com', 'ranked');
    memo.prune(); // asked since: kept
    memo.keep(80, keys); // the same list again: the prune may skip its walk only if nothing outside it is left
    memo.prune();
    expect(memo.get(80, 'b.com')).toBeUndefined();
  });

  it('keeps both lists kept for a port in one round', () => {
    const memo = new RankingMemo<string>();
    memo.set(80, '*.com', 'ranked');
    memo.prune();
    memo.keep(80, ['*.com']);
    memo.keep(80, ['a.com']);
    memo.prune();
    expect(memo.get(80, '*.com')).toBe('ranked');
  });

  it('forgets the rankings of a port no longer kept, and keeps those of a kept list it did not rank', () => {
    const memo = new RankingMemo<string>();
    const keys = ['a.com'];
    memo.set(80, 'a.com', 'on 80');
    memo.set(443, 'a.com', 'on 443');
    memo.keep(80, keys);
    memo.keep(443, keys);
    memo.prune();
    memo.keep(80, keys);
    memo.prune();
    expect(memo.get(80, 'a.com')).toBe('on 80');
    expect(memo.get(443, 'a.com')).toBeUndefined();
  });
});
