// Model-based tests of the status writer and the leader lease: walk.ts, harness.ts.
import { walkMachines } from './walk.js';
import { leaderSpec, statusWriterSpec } from './system.spec.js';

walkMachines('system machines, model-based', [
  ['statusWriter', [statusWriterSpec]],
  ['leader', [leaderSpec]],
]);
