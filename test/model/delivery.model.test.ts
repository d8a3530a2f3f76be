// Model-based tests of the delivery machines (proxy replica, Cloudflare edge): walk.ts, harness.ts.
import { walkMachines } from './walk.js';
import { edgeSpec, replicaSpec } from './delivery.spec.js';

walkMachines('delivery machines, model-based', [
  ['replica', [replicaSpec]],
  ['edge', [edgeSpec]],
]);
