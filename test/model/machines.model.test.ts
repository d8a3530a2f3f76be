// Model-based tests of every machine: transition-cover paths generated with @xstate/graph, replayed on
// real actors with an oracle per step; prints per-machine state and transition coverage, fails below 100 %.
import { afterAll, describe, expect, it } from '@jest/globals';
import { coverageTable, runModel, type CoverageRow, type ModelSpec } from './harness.js';
import { gatewayClassSpec, gatewaySpec, policySpec, routeSpec } from './resources.spec.js';
import { edgeSpec, replicaSpec } from './delivery.spec.js';
import { leaderSpec, statusWriterSpec } from './system.spec.js';
import { coordinatorCapSpec, coordinatorHandOutSpec, coordinatorScheduleSpec } from './coordinator.spec.js';

// One row per machine; a machine may be walked by several specs (their coverage is merged).
const machines: Array<[string, ModelSpec[]]> = [
  ['coordinator', [coordinatorScheduleSpec, coordinatorCapSpec, coordinatorHandOutSpec]],
  ['gatewayClass', [gatewayClassSpec]],
  ['gateway', [gatewaySpec]],
  ['route', [routeSpec]],
  ['policy', [policySpec]],
  ['replica', [replicaSpec]],
  ['edge', [edgeSpec]],
  ['statusWriter', [statusWriterSpec]],
  ['leader', [leaderSpec]],
];
const rows: CoverageRow[] = [];

describe('machines, model-based', () => {
  afterAll(() => {
    process.stdout.write(
      `\nModel coverage (states / transitions of each machine definition):\n${coverageTable(rows)}\n`,
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
