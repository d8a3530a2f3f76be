// Every machine of the actor system, by id: what `tunnel-gateway machines` draws and the model tests walk.
import type { AnyStateMachine } from 'xstate';
import { coordinatorMachine } from './coordinator.js';
import { gatewayClassMachine } from './gateway-class.js';
import { gatewayMachine } from './gateway.js';
import { routeMachine } from './route.js';
import { policyMachine } from './policy.js';
import { replicaMachine } from './replica.js';
import { edgeMachine } from './edge.js';
import { statusWriterMachine } from './status-writer.js';
import { leaderMachine } from './leader.js';

export const MACHINES: Record<string, AnyStateMachine> = {
  coordinator: coordinatorMachine,
  gatewayClass: gatewayClassMachine,
  gateway: gatewayMachine,
  route: routeMachine,
  policy: policyMachine,
  replica: replicaMachine,
  edge: edgeMachine,
  statusWriter: statusWriterMachine,
  leader: leaderMachine,
};
