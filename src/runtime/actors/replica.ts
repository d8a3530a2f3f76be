// The replica machine's side effects: PUT /config and GET /config through the endpoint's ReplicaClient.
// Endpoints are looked up by id at call time, so a replaced client (new pod IP) is used at once.
import { fromPromise } from 'xstate';
import type { ReplicaEndpoint } from '../../core/ports.js';
import type { Acknowledged, PushInput } from '../../../machines/replica.js';

/** A replica that never answers must not pin the actor in `pushing`. */
const CALL_TIMEOUT_MS = 30_000;

function endpointOf(endpoints: Map<string, ReplicaEndpoint>, id: string): ReplicaEndpoint {
  const endpoint = endpoints.get(id);
  if (!endpoint) throw new Error(`replica ${id} is no longer known`);
  return endpoint;
}

const withTimeout = (signal: AbortSignal) => AbortSignal.any([signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]);

export function replicaActors(endpoints: Map<string, ReplicaEndpoint>) {
  return {
    pushConfig: fromPromise<Acknowledged, PushInput>(async ({ input, signal }) => {
      const ack = await endpointOf(endpoints, input.id).client.push(
        { ...input.config, generation: input.generation },
        withTimeout(signal),
        { resync: input.resync },
      );
      return { version: ack.version, generation: ack.generation };
    }),
    readCurrent: fromPromise<Acknowledged | null, { id: string }>(async ({ input, signal }) => {
      return endpointOf(endpoints, input.id).client.current(withTimeout(signal));
    }),
  };
}
