// The walk's bound on its exploration: a machine whose state grows without end (a mutant that breaks a
// counter's bound, say) fails naming its spec, not with @xstate/graph's bare "Traversal limit exceeded".
import { describe, expect, it } from '@jest/globals';
import { assign, setup } from 'xstate';
import { transitionCover, type ModelSpec } from './harness.js';

const counter = (bounded: boolean) =>
  setup({ types: {} as { context: { n: number } } }).createMachine({
    context: { n: 0 },
    on: { tick: { actions: assign(({ context }) => ({ n: bounded ? (context.n + 1) % 50 : context.n + 1 })) } },
  });

const spec = (bounded: boolean): ModelSpec => ({
  name: bounded ? 'bounded counter' : 'endless counter',
  machine: () => counter(bounded),
  events: [{ type: 'tick' }],
  check: () => undefined,
});

describe('transitionCover', () => {
  it('walks a machine with finitely many states', () => {
    // 50 states, one edge out of each: a path to each state plus that edge.
    const paths = transitionCover(spec(true));
    expect(paths).toHaveLength(50);
    expect(Math.max(...paths.map((p) => p.length))).toBe(50);
  });

  it('fails, naming the spec, when the states never stop growing', () => {
    expect(() => transitionCover(spec(false))).toThrow('endless counter: more than 20000 exploration steps');
  });
});
