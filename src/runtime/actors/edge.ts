// The edge machine's side effect: one EdgeAdapter.reconcile pass (Cloudflare tunnel config + DNS).
import { fromPromise } from 'xstate';
import type { EdgeAdapter, EdgeResult } from '../../core/ports.js';
import type { EdgeDesired } from '../../../machines/edge.js';

export function edgeActors(edge: EdgeAdapter) {
  return {
    reconcileEdge: fromPromise<EdgeResult, Omit<EdgeDesired, 'generation'>>(({ input, signal }) =>
      edge.reconcile(input, signal),
    ),
  };
}
