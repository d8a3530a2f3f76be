// Model-based tests of the gatewayClass, gateway and policy machines (the route's: route.model.test.ts): transition-cover paths generated with @xstate/graph, replayed
// on real actors with an oracle per step (walk.ts, harness.ts).
import { walkMachines } from './walk.js';
import { gatewayClassSpec, gatewaySpec, policySpec } from './resources.spec.js';

walkMachines('resource machines, model-based', [
  ['gatewayClass', [gatewayClassSpec]],
  ['gateway', [gatewaySpec]],
  ['policy', [policySpec]],
]);
