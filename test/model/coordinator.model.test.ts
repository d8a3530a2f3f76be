// Model-based tests of the coordinator, walked by three specs whose coverage is merged: its schedule, its
// cap on a sync's wait, its hand-out (walk.ts, harness.ts).
import { walkMachines } from './walk.js';
import { coordinatorCapSpec, coordinatorHandOutSpec, coordinatorScheduleSpec } from './coordinator.spec.js';

walkMachines('the coordinator, model-based', [
  ['coordinator', [coordinatorScheduleSpec, coordinatorCapSpec, coordinatorHandOutSpec]],
]);
