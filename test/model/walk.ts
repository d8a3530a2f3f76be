// One describe per test file of model walks: each machine walked by its specs (their coverage merged), the
// coverage table printed once the file is done, below 100 % a failure. The walks are split into files by
// spec module so a change to one machine re-runs only the walks whose imports reach it (jest's related
// tests; Stryker runs them for every mutant of that machine).
import { afterAll, describe, expect, it } from '@jest/globals';
import { coverageTable, runModel, type CoverageRow, type ModelSpec } from './harness.js';

export function walkMachines(title: string, machines: Array<[string, ModelSpec[]]>): void {
  const rows: CoverageRow[] = [];
  describe(title, () => {
    afterAll(() => {
      process.stdout.write(
        `\nModel coverage of ${title} (states / transitions of each machine definition):\n${coverageTable(rows)}\n`,
      );
    });

    it.each(machines)(
      '%s: every state and transition, oracle at each step',
      (_name, specs) => {
        const row = runModel(specs);
        rows.push(row);
        expect(row.missedStates).toEqual([]);
        expect(row.missedTransitions).toEqual([]);
        expect(row.states[0]).toBe(row.states[1]);
        expect(row.transitions[0]).toBe(row.transitions[1]);
      },
      180_000,
    ); // thousands of replayed steps; the machine is shared with other suites
  });
}
