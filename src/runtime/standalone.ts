// Standalone mode wiring: file source → actor system (translator inside) → the proxy in this process.
// The in-cluster controller runs the same control plane; only the source, sinks and replicas differ.
import type { AccessLogOptions } from '../../proxy/index.js';
import { startDataPlane, type DataPlane } from './data-plane.js';
import { createControlPlane, type ControlPlane } from './control-plane.js';
import { FileSource } from '../sources/files.js';
import { translateSteps } from '../translate/index.js';
import { localReplicaClient, whenStarted } from './local-replica.js';
import { loggingEdge } from './logging-edge.js';
import { mountAdminRoutes } from './admin-routes.js';
import { Registry } from 'prom-client';
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
  /** Starts the data plane (default: startDataPlane); a test holds it to see what does not wait for it. */
  startDataPlane?: typeof startDataPlane;
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
  // The manifests are parsed while the proxy's workers start (separate processes).
  const preloaded = source.preload();
  const starting = (opts.startDataPlane ?? startDataPlane)({
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
  // Awaited below or by the replica's first call; never left to reject unheard.
  starting.catch(() => undefined);
  // With fixed ports the translation needs nothing from the data plane: the control plane starts at once
  // (translation, statuses) and the embedded replica's first push waits for the workers. Their start (~1 s
  // of module loading in another process) then overlaps the first sync instead of preceding it.
  const ports = fixedPorts(opts) ?? (await starting).ports;
  await preloaded;
  // The control plane's series live in a registry of their own, served with the proxy's once it is up.
  const controlPlaneMetrics = new Registry();
  const controlPlane = createControlPlane({
    source,
    statusSink: source,
    edge: opts.edge ?? loggingEdge(logger),
    logger,
    timing: { holdoffMs: opts.holdoffMs, maxHoldoffMs: opts.maxHoldoffMs },
    rehearse: true,
    onFatal: opts.onFatal,
    metrics: controlPlaneMetrics,
    translate: (snapshot) =>
      translateSteps(snapshot, {
        controllerName: opts.controllerName,
        now: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        // A tunnel the edge created is known only after its first pass.
        tunnelId: opts.tunnelId && opts.tunnelId !== 'create' ? opts.tunnelId : opts.edge?.tunnelId?.(),
        proxyHttpPort: ports.http,
        proxyTlsPort: ports.tls ?? 8443,
        // Each Gateway's status lists its own data port on this host (ADR 0009).
        dataAddressHost: opts.listen.host,
        externalNameServices: opts.externalNameServices,
      }),
  });
  // Ready from the start: until the data plane is up its calls wait (the replica is "checking", the routes'
  // data-plane health pending), never "no ready replica".
  controlPlane.setReplicas([{ id: 'embedded proxy', ready: true, client: localReplicaClient(whenStarted(starting)) }]);
  let proxy: DataPlane;
  try {
    await controlPlane.start();
    proxy = await starting;
  } catch (err) {
    await controlPlane.stop();
    await starting.then(
      (p) => p.close(0),
      () => undefined,
    );
    throw err;
  }
  serveAlso(proxy.metrics, controlPlaneMetrics);
  serveAlso(proxy.metrics, opts.extraMetrics);
  mountAdminRoutes(proxy, controlPlane, source);
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

/** The data ports when the flags fix them (port 0 is known only once listening). */
function fixedPorts(opts: StandaloneOptions): { http: number; tls?: number } | undefined {
  if (opts.listen.port === 0 || opts.tlsListen?.port === 0) return undefined;
  return { http: opts.listen.port, tls: opts.tlsListen?.port };
}
