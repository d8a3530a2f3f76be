// The proxy data plane: listeners (cleartext h1/h2c, TLS h2/h1), routing table, forwarding, admin API.
// Embedded in-process by standalone mode; run alone by `tunnel-gateway proxy`.
import type http2 from 'node:http2';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import selfsigned from 'selfsigned';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { AccessLog, type AccessLogOptions } from './access-log.js';
import { createAdminServer, type AdminHandler } from './admin/server.js';
import { createAuthorizer } from './admin/auth.js';
import { adminHostCheck } from './admin/host-check.js';
import { ConfigHolder, type ApplyOptions, type ApplyResult } from './config/apply.js';
import type { PreparedConfig } from './config/prepared.js';
import { UpstreamRegistry } from './forward/upstream.js';
import { resolveLimits, type ProxyLimits } from './limits.js';
import { ProxyMetrics } from './metrics.js';
import { createDataPlane, listen } from './server/listener.js';
import type { HandlerRuntime } from './server/handle.js';
import { drain } from './server/drain.js';
import { GatewayListeners } from './server/gateway-listeners.js';
import type { RoutingTable } from './router/table.js';

export type { ProxyLimits, AdminHandler, ApplyResult, PreparedConfig, AccessLogOptions };
export { DEFAULT_LIMITS } from './limits.js';

export interface ProxyOptions {
  listen: { host: string; port: number };
  tlsListen?: { host: string; port: number };
  admin?: { host: string; port: number };
  adminToken?: string;
  /** Host names served without a token besides loopback ones and the listen address (DNS rebinding defence). */
  adminAllowedHosts?: readonly string[];
  logger?: Logger;
  limits?: Partial<ProxyLimits>;
  /** PEM cert and key for the TLS port; a self-signed pair is generated when absent. */
  tls?: { cert: string; key: string };
  /** Largest PUT /config body (default 64 MiB). */
  adminMaxBodyBytes?: number;
  /** Applied before the listeners open (a cluster worker joining a running proxy). */
  initialConfig?: PreparedConfig;
  /** How long /metrics keeps the series of a rule the running config no longer has (default 30 s, like pools). */
  retiredRuleMetricsMs?: number;
  /** One JSON line per request: by default off unless a config asks for it (`accessLog: true`), to stdout. */
  accessLog?: AccessLogOptions;
}

export interface RunningProxy {
  ports: { http: number; tls?: number; admin?: number };
  /** The Gateways' own data ports open now besides `ports` (ADR 0009), ascending. */
  gatewayPorts(): number[];
  applyConfig(cfg: unknown, opts?: ApplyOptions): ApplyResult;
  /**
   * applyConfig() for a pusher that never changes a config object once passed (standalone's control plane),
   * compiled in slices so requests keep being served meanwhile.
   */
  applySharedConfig(cfg: unknown, opts?: ApplyOptions): Promise<ApplyResult>;
  /** A config validated by the cluster primary: compiled in slices, not validated again. */
  applyPrepared(cfg: PreparedConfig, opts?: ApplyOptions): Promise<ApplyResult>;
  current(): { version: string; generation: number } | null;
  ready(): boolean;
  metrics: Registry;
  /** Mounts an extra admin route (same auth as PUT /config); a path ending in "/" serves its subtree. */
  addAdminRoute(method: string, path: string, handler: AdminHandler): void;
  close(graceMs?: number): Promise<void>;
}

const ADMIN_MAX_BODY = 64 * 1024 * 1024;

export async function startProxy(opts: ProxyOptions): Promise<RunningProxy> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const limits = resolveLimits(opts.limits);
  const metrics = new ProxyMetrics({ retiredRuleMs: opts.retiredRuleMetricsMs });
  const upstreams = new UpstreamRegistry(limits);
  const accessLog = new AccessLog(metrics, opts.accessLog, logger);
  // The Gateways' data ports open once the proxy's own listeners do; a table swapped in before that waits.
  let gatewayListeners: GatewayListeners | undefined;
  const swapped = (table: RoutingTable) => {
    accessLog.configured(table.accessLog);
    void gatewayListeners?.reconcile(table.gateways);
  };
  const config = new ConfigHolder(upstreams, metrics, logger, swapped);
  if (opts.initialConfig !== undefined) {
    const initial = await config.applyPrepared(opts.initialConfig);
    if (!initial.ok) throw new Error(`initial config refused: ${initial.error}`);
  }
  /** A push is answered once the Gateways' ports it names are open (or their failure logged). */
  const withPorts = async (applying: Promise<ApplyResult>): Promise<ApplyResult> => {
    const result = await applying;
    await gatewayListeners?.settled();
    return result;
  };
  const rt: HandlerRuntime = { limits, metrics, logger, accessLog, table: () => config.table };
  const plane = createDataPlane(rt, limits, opts.tlsListen ? (opts.tls ?? (await selfSignedPair())) : undefined);
  const sessions = new Set<http2.ServerHttp2Session>();
  plane.h2.on('session', (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  let closing: Promise<void> | undefined;
  // Not ready while draining, so whatever routes to this replica stops during the grace period.
  const ready = () => config.table !== undefined && closing === undefined;
  const current = () => (config.table ? { version: config.table.version, generation: config.table.generation } : null);
  const admin = opts.admin
    ? createAdminServer({
        authorize: createAuthorizer(opts.admin.host, opts.adminToken),
        checkHost: adminHostCheck(opts.admin.host, opts.adminToken, opts.adminAllowedHosts),
        apply: (cfg, o) => withPorts(config.applyYielding(cfg, o)),
        conflict: () => config.conflicts.current(),
        current,
        ready,
        registry: metrics.registry,
        logger,
        maxBodyBytes: opts.adminMaxBodyBytes ?? ADMIN_MAX_BODY,
      })
    : undefined;
  const ports: RunningProxy['ports'] = { http: await listen(plane.http, opts.listen.host, opts.listen.port) };
  try {
    if (plane.tls && opts.tlsListen) ports.tls = await listen(plane.tls, opts.tlsListen.host, opts.tlsListen.port);
    if (admin && opts.admin) ports.admin = await listen(admin.server, opts.admin.host, opts.admin.port);
  } catch (err) {
    plane.http.close();
    plane.tls?.close();
    throw err;
  }
  logger.info({ ports }, 'proxy listening');
  const own = {
    http: { host: opts.listen.host, port: ports.http },
    tls: opts.tlsListen && ports.tls !== undefined ? { host: opts.tlsListen.host, port: ports.tls } : undefined,
  };
  const extra = (gatewayListeners = new GatewayListeners(plane, own, logger));
  await extra.reconcile(config.table?.gateways ?? []);
  return {
    ports,
    gatewayPorts: () => extra.ports(),
    applyConfig: (cfg, o) => config.apply(cfg, o),
    applySharedConfig: (cfg, o) => withPorts(config.applySharedYielding(cfg, o)),
    applyPrepared: (cfg, o) => withPorts(config.applyPrepared(cfg, o)),
    current,
    ready,
    metrics: metrics.registry,
    addAdminRoute: (method, path, handler) => {
      if (admin === undefined) throw new Error('the proxy has no admin port');
      admin.addRoute(method, path, handler);
    },
    close(graceMs = 10_000) {
      closing ??= Promise.all([
        extra.close(),
        drain({ plane, sessions, admin: admin?.server, upstreams, metrics, graceMs }),
      ]).then(() => logger.info('proxy closed'));
      return closing;
    },
  };
}

/**
 * The loopback TLS port's certificate when none is given. The RSA key comes from node:crypto on libuv's
 * thread pool (forge's JavaScript key generation took ~300 ms of the start-up on the event loop); forge,
 * through selfsigned, only builds and signs the certificate, which takes a few milliseconds.
 */
const generateRsaKeyPair = promisify(generateKeyPair);

async function selfSignedPair(): Promise<{ cert: string; key: string }> {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  // `keyPair` is honoured by selfsigned 2.x but missing from its types (test/canary/dependencies.test.ts).
  const options = { days: 3650, keyPair: { publicKey, privateKey } };
  const pems = selfsigned.generate([{ name: 'commonName', value: 'tunnel-gateway-proxy' }], options);
  return { cert: pems.cert, key: pems.private };
}
