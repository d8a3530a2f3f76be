// The data plane standalone pushes its configs to: the proxy in this process (no workers), or a cluster
// primary whose worker processes serve (`--workers N`, the `proxy --workers` machinery). With workers the
// control plane's work (parse, translate, statuses, validating a push) runs on the primary's event loop and
// never delays a request; the workers only compile in slices and swap. The primary keeps the admin API.
import type { Logger } from 'pino';
import { startProxy, type AccessLogOptions, type RunningProxy } from '../../proxy/index.js';
import type { HostPort } from '../commands/options.js';

/** What standalone uses of a data plane; both the embedded proxy and the cluster primary have it. */
export type DataPlane = Pick<
  RunningProxy,
  'ports' | 'metrics' | 'addAdminRoute' | 'applySharedConfig' | 'current' | 'close'
>;

export interface DataPlaneOptions {
  /** Worker processes; 0 serves in this process. Workers re-run this process's command line (the CLI). */
  workers: number;
  listen: HostPort;
  tlsListen?: HostPort;
  admin: HostPort;
  adminToken?: string;
  adminAllowedHosts?: readonly string[];
  accessLog?: AccessLogOptions;
  logger: Logger;
  /** Workers keep dying (a crash loop): the caller should exit so a supervisor restarts it. */
  onFatal?(err: Error): void;
}

export async function startDataPlane(opts: DataPlaneOptions): Promise<DataPlane> {
  const { workers, admin, adminToken, adminAllowedHosts, logger } = opts;
  if (workers === 0)
    return startProxy({
      listen: opts.listen,
      tlsListen: opts.tlsListen,
      admin,
      adminToken,
      adminAllowedHosts,
      accessLog: opts.accessLog,
      logger,
    });
  // Loaded only here: an embedded standalone never forks.
  const { startProxyCluster } = await import('../../proxy/cluster/primary.js');
  return startProxyCluster({
    workers,
    admin,
    adminToken,
    adminAllowedHosts,
    logger,
    // The primary logs it; the caller decides whether the process ends.
    onFatal: (err) => opts.onFatal?.(err),
    // This primary runs the control plane: connections must not wait for its event loop.
    workersAccept: true,
  });
}
