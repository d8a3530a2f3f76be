// The cluster primary: N worker processes share the data-plane ports (Node's cluster hands each accepted
// connection to one of them), and the primary alone runs the admin API. A pushed config is parsed and
// validated here, off every serving event loop, then sent to each worker prepared (one JSON text per
// rule/host); PUT /config answers once every worker swapped it in. GET /metrics aggregates the workers.
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { AggregatorRegistry, Counter, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { createAdminServer, type AdminHandler, type ConfigInfo, type MetricsSource } from '../admin/server.js';
import { createAuthorizer } from '../admin/auth.js';
import { adminHostCheck } from '../admin/host-check.js';
import { listen } from '../server/listener.js';
import type { ApplyOptions, ApplyResult } from '../config/apply.js';
import { ConfigFanout } from './fanout.js';
import { WorkerPool } from './pool.js';

export interface ClusterOptions {
  workers: number;
  admin: { host: string; port: number };
  adminToken?: string;
  /** Host names served without a token besides loopback ones and the listen address (DNS rebinding defence). */
  adminAllowedHosts?: readonly string[];
  logger: Logger;
  /**
   * Workers accept connections themselves from the shared socket (SCHED_NONE) instead of the primary
   * handing each one over (round-robin, Node's default on Linux): for a primary whose event loop is busy
   * with other work (standalone's control plane), which must not delay a connection.
   */
  workersAccept?: boolean;
  adminMaxBodyBytes?: number;
  /** Called once when workers crash-loop; the caller should exit non-zero. */
  onFatal(err: Error): void;
}

export interface RunningCluster {
  ports: { http: number; tls?: number; admin: number };
  ready(): boolean;
  current(): ConfigInfo | null;
  /**
   * A config from an in-process pusher that never changes an object once passed (standalone running this
   * primary): validated here by identity (unchanged rules are not serialized again), then sent to the workers.
   */
  applySharedConfig(config: unknown, opts?: ApplyOptions): Promise<ApplyResult>;
  /** The primary's own series, served on /metrics beside the workers' sum. */
  metrics: Registry;
  addAdminRoute(method: string, path: string, handler: AdminHandler): void;
  close(graceMs?: number): Promise<void>;
}

export async function startProxyCluster(opts: ClusterOptions): Promise<RunningCluster> {
  if (!cluster.isPrimary) throw new Error('startProxyCluster runs in the primary process');
  const { logger } = opts;
  // Read by the first fork, and fixed from then on for this process.
  if (opts.workersAccept) cluster.schedulingPolicy = cluster.SCHED_NONE;
  const own = new Registry();
  // Pushes are refused here, so the primary counts them (the workers' own count is omitted from the sum).
  const rejected = new Counter({
    name: 'proxy_config_rejected_total',
    help: 'Configs refused, by HTTP status (400 invalid, 409 stale)',
    labelNames: ['status'],
    registers: [own],
  });
  let closing: Promise<void> | undefined;
  let fanout: ConfigFanout | undefined;
  const pool = new WorkerPool(
    opts.workers,
    () => fanout?.config ?? null,
    {
      listening: (member) => fanout?.catchUp(member),
      applied: (member, id, result) => fanout?.settle(member, id, result),
      gone: (member) => fanout?.settle(member),
      fatal: (err) => {
        logger.fatal({ err }, 'proxy workers keep dying');
        opts.onFatal(err);
      },
    },
    logger,
  );
  fanout = new ConfigFanout(pool, (status) => rejected.inc({ status: String(status) }), logger);
  const config = fanout;
  const ready = () => closing === undefined && config.servedByAnyWorker();
  const admin = createAdminServer({
    authorize: createAuthorizer(opts.admin.host, opts.adminToken),
    checkHost: adminHostCheck(opts.admin.host, opts.adminToken, opts.adminAllowedHosts),
    apply: (input, o) => config.apply(input, o),
    conflict: () => config.conflicts.current(),
    current: () => config.describe(),
    ready,
    registry: clusterMetrics(own),
    logger,
    maxBodyBytes: opts.adminMaxBodyBytes ?? 64 * 1024 * 1024,
  });
  const dataPorts = await pool.start().catch(async (err: Error) => {
    await pool.drain(0);
    throw err;
  });
  const ports = { ...dataPorts, admin: await listen(admin.server, opts.admin.host, opts.admin.port) };
  logger.info({ ports, workers: opts.workers }, 'proxy cluster listening');
  return {
    ports,
    ready,
    current: () => config.describe(),
    applySharedConfig: (input, o) => config.apply(input, o, 'identity'),
    metrics: own,
    addAdminRoute: (method, path, handler) => admin.addRoute(method, path, handler),
    close(graceMs = 10_000) {
      closing ??= pool.drain(graceMs).then(() => closeServer(admin.server));
      return closing;
    },
  };
}

/** The workers' metrics summed (prom-client's cluster aggregation), plus the primary's own. */
function clusterMetrics(own: Registry): MetricsSource {
  const aggregator = new AggregatorRegistry();
  return {
    contentType: aggregator.contentType,
    metrics: async () => `${await aggregator.clusterMetrics()}\n${await own.metrics()}`,
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
