// Replica client for the proxy embedded in this process (standalone): a push is a direct apply, with the
// same outcomes an HTTP PUT /config would have. DesiredStates are read-only and the translator passes
// unchanged routes' rules on as the same objects, so the proxy validates and serializes only new ones. The
// compile runs in slices (as in a `proxy` worker), so a big config never stops this process serving.
import type { ReplicaClient } from '../core/ports.js';
import type { RunningProxy } from '../../proxy/index.js';
import { GenerationConflictError } from '../../machines/replica.js';

/** The proxy's config calls; `current` may answer later (a data plane still starting). */
export interface LocalProxy {
  applySharedConfig: RunningProxy['applySharedConfig'];
  current(): ReturnType<RunningProxy['current']> | Promise<ReturnType<RunningProxy['current']>>;
}

export function localReplicaClient(proxy: LocalProxy): ReplicaClient {
  return {
    async push(config, _signal, options) {
      const result = await proxy.applySharedConfig(config, { resync: options?.resync });
      if (!result.ok && result.conflict)
        throw new GenerationConflictError(result.conflict.running.generation, config.generation);
      if (!result.ok) throw new Error(`proxy refused config (${result.status}): ${result.error}`);
      return { version: result.version, generation: config.generation };
    },
    async current() {
      return proxy.current();
    },
  };
}

/**
 * A proxy's config calls, each waiting for its start (standalone's data plane starts beside the control
 * plane). Once started, a push is handed over in the caller's own turn: awaiting the settled start would
 * queue it behind everything else the control plane does in that turn (handing a sync's verdicts to
 * thousands of actors), and the config would leave for the workers that much later.
 */
export function whenStarted(starting: Promise<LocalProxy>): LocalProxy {
  let started: LocalProxy | undefined;
  starting.then((proxy) => (started = proxy)).catch(() => undefined);
  return {
    applySharedConfig: (config, options) =>
      started ? started.applySharedConfig(config, options) : starting.then((p) => p.applySharedConfig(config, options)),
    current: async () => (await starting).current(),
  };
}
