// Model-based tests of the route machine, in a file of its own: its walk is the longest (walk.ts).
import { walkMachines } from './walk.js';
import { routeSpec } from './route.spec.js';

walkMachines('the route machine, model-based', [['route', [routeSpec]]]);
