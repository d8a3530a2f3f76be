// Pure: what the coordinator knows about the data plane, and the health it tells resource actors.
export interface ReplicaState {
  /** Id of the replica actor (endpoint id + incarnation). */
  childId: string;
  ready: boolean;
  ackedVersion?: string;
  failing?: string;
}

export type EdgeHealth =
  { state: 'none' } | { state: 'pending' } | { state: 'ok' } | { state: 'failing'; error: string };

export type DataplaneHealth =
  { type: 'live'; generation: number } | { type: 'degraded'; reason: string } | { type: 'pending' };

/**
 * Live at `generation` when every ready replica acknowledged `version` (and the edge, if any, confirmed);
 * degraded when no replica is ready, every ready one is failing, or the edge fails; else pending.
 */
export function dataplaneHealth(
  replicas: Record<string, ReplicaState>,
  edge: EdgeHealth,
  version: string | undefined,
  generation: number,
): DataplaneHealth {
  const ready = Object.entries(replicas).filter(([, r]) => r.ready);
  if (ready.length === 0) return { type: 'degraded', reason: 'No ready proxy replica' };
  if (ready.every(([, r]) => r.failing !== undefined)) {
    const [id, r] = ready[0]!;
    return { type: 'degraded', reason: `Config push to proxy replicas failing (${id}: ${r.failing})` };
  }
  if (edge.state === 'failing') return { type: 'degraded', reason: `Cloudflare edge reconcile failing: ${edge.error}` };
  const allAcked = version !== undefined && ready.every(([, r]) => r.ackedVersion === version);
  if (!allAcked || edge.state === 'pending') return { type: 'pending' };
  return { type: 'live', generation };
}
