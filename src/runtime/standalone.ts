// Standalone mode wiring: file source → actor system (translator inside) → the proxy in this process.
// The in-cluster controller runs the same control plane; only the source, sinks and replicas differ.
import type { AccessLogOptions } from '../../proxy/index.js';
import { startDataPlane, type DataPlane } from './data-plane.js';
import { createControlPlane, type ControlPlane } from './control-plane.js';
import { FileSource } from '../sources/files.js';
import { translateSteps } from '../translate/index.js';
import { localReplicaClient } from './local-replica.js';
import { loggingEdge } from './logging-edge.js';
import { mountAdminRoutes } from './admin-routes.js';
import type { Registry } from 'prom-client';
import { serveAlso } from './metrics.js';
import type { EdgeAdapter } from '../core/ports.js';
import type { HostPort } from '../commands/options.js';
import { silentLogger, type Logger } from '../log.js';

export interface StandaloneOptions {
  manifests: string;
  listen: HostPort;
  tlsListen?: HostPort;
  admin: HostPort;
  adminToken?: string;
  /** Host names the admin port serves without a token besides loopback ones. */
  adminAllowedHosts?: readonly string[];
  /** Largest manifest file read (default 16 MiB). */
  maxManifestBytes?: number;
  controllerName: string;
  tunnelId?: string;
  /** Forward to ExternalName Services (TranslateOptions.externalNameServices). */
  externalNameServices?: boolean;
  /**
   * Worker processes that serve (default 0: the proxy runs in this process). They re-run this process's
   * command line, so only the CLI (`standalone --workers N`) can ask for them.
   */
  workers?: number;
  /** The embedded proxy's access log (default: follows the GatewayClass parameter, to stdout). */
  accessLog?: AccessLogOptions;
  /** Cloudflare edge when configured; else the ingress/DNS that would be written is logged. */
  edge?: EdgeAdapter & { tunnelId?(): string | undefined };
  /** More metrics to serve on the admin port's /metrics (the Cloudflare edge's), beside the proxy's. */
  extraMetrics?: Registry;
  logger?: Logger;
  holdoffMs?: number;
  maxHoldoffMs?: number;
  /** Called once if the actor system dies (the CLI exits so a supervisor restarts it). */
  onFatal?: (err: Error) => void;
}

export interface Standalone {
  proxy: DataPlane;
  controlPlane: ControlPlane;
  source: FileSource;
  close(graceMs?: number): Promise<void>;
}

export async function runStandalone(opts: StandaloneOptions): Promise<Standalone> {
  const logger = opts.logger ?? silentLogger;
  const source = new FileSource({ root: opts.manifests, logger, maxFileBytes: opts.maxManifestBytes });
  // The manifests are parsed while the proxy's workers start (separate processes): the first sync needs both.
  const preloaded = source.preload();
  const proxy = await startDataPlane({
    workers: opts.workers ?? 0,
    listen: opts.listen,
    tlsListen: opts.tlsListen,
    admin: opts.admin,
    adminToken: opts.adminToken,
    adminAllowedHosts: opts.adminAllowedHosts,
    accessLog: opts.accessLog,
    logger,
    onFatal: opts.onFatal,
  });
  serveAlso(proxy.metrics, opts.extraMetrics);
  await preloaded;
  const controlPlane = createControlPlane({
    source,
    statusSink: source,
    edge: opts.edge ?? loggingEdge(logger),
    logger,
    timing: { holdoffMs: opts.holdoffMs, maxHoldoffMs: opts.maxHoldoffMs },
    onFatal: opts.onFatal,
    // Served with the proxy's series on the admin port's /metrics.
    metrics: proxy.metrics,
    translate: (snapshot) =>
      translateSteps(snapshot, {
        controllerName: opts.controllerName,
        now: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        // A tunnel the edge created is known only after its first pass.
        tunnelId: opts.tunnelId && opts.tunnelId !== 'create' ? opts.tunnelId : opts.edge?.tunnelId?.(),
        proxyHttpPort: proxy.ports.http,
        proxyTlsPort: proxy.ports.tls ?? 8443,
        // Each Gateway's status lists its own data port on this host (ADR 0009).
        dataAddressHost: opts.listen.host,
        externalNameServices: opts.externalNameServices,
      }),
  });
  mountAdminRoutes(proxy, controlPlane, source);
  controlPlane.setReplicas([{ id: 'embedded proxy', ready: true, client: localReplicaClient(proxy) }]);
  try {
    await controlPlane.start();
  } catch (err) {
    await proxy.close(0);
    throw err;
  }
  return {
    proxy,
    controlPlane,
    source,
    async close(graceMs = 5000) {
      await controlPlane.stop();
      await proxy.close(graceMs);
    },
  };
}
