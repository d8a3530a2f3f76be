// `tunnel-gateway proxy`: one data-plane replica. Starts with no config (not ready) and serves whatever
// the controller pushes to PUT /config on the admin port.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ProxyOptions } from '../../proxy/index.js';
import { createLogger } from '../log.js';
import { exitAfterLogs, onShutdownSignal } from '../runtime/signals.js';
import { accessLogOption, accessLogOptions, type AccessLogFlag } from './access-log.js';
import { adminAllowedHostsOption } from './options.js';

interface HostPort {
  host: string;
  port: number;
}

interface ProxyFlags {
  listen: HostPort;
  tlsListen?: HostPort;
  admin: HostPort;
  adminTokenFile?: string;
  adminAllowedHosts?: string[];
  tlsCert?: string;
  tlsKey?: string;
  maxBodyBytes?: number;
  upstreamResponseTimeoutMs?: number;
  drainMs: number;
  workers: number;
  retiredRuleMetricsMs: number;
  accessLog: AccessLogFlag;
  logLevel: string;
}

/** "127.0.0.1:8080", ":8080" (all interfaces) or "[::1]:8080"; port 0 picks a free port. */
function hostPort(value: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`expected HOST:PORT, got "${value}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

export function proxyCommand(): Command {
  return new Command('proxy')
    .description(
      'run one L7 proxy replica: routes HTTP/1.1, h2c, TLS (h2) and gRPC by the config pushed to its admin API',
    )
    .addOption(
      new Option('--listen <host:port>', 'data plane: HTTP/1.1 and h2c on one port')
        .argParser(hostPort)
        .default(hostPort('0.0.0.0:8080'))
        .env('PROXY_LISTEN'),
    )
    .addOption(
      new Option('--tls-listen <host:port>', 'TLS data plane (ALPN h2 and http/1.1), for cloudflared gRPC origins')
        .argParser(hostPort)
        .env('PROXY_TLS_LISTEN'),
    )
    .addOption(
      new Option('--admin <host:port>', 'admin API: PUT/GET /config, /healthz, /readyz, /metrics')
        .argParser(hostPort)
        .default(hostPort('127.0.0.1:9901'))
        .env('PROXY_ADMIN'),
    )
    .addOption(
      new Option(
        '--admin-token-file <file>',
        'file holding the admin bearer token (required unless --admin is loopback)',
      ).env('PROXY_ADMIN_TOKEN_FILE'),
    )
    .addOption(adminAllowedHostsOption('PROXY_ADMIN_ALLOWED_HOSTS'))
    .addOption(
      new Option('--tls-cert <file>', 'PEM certificate for --tls-listen (default: a self-signed one)').env(
        'PROXY_TLS_CERT',
      ),
    )
    .addOption(new Option('--tls-key <file>', 'PEM private key for --tls-cert').env('PROXY_TLS_KEY'))
    .addOption(
      new Option('--max-body-bytes <n>', 'largest request body accepted (413 beyond)')
        .argParser(count)
        .env('PROXY_MAX_BODY_BYTES'),
    )
    .addOption(
      new Option(
        '--upstream-response-timeout-ms <n>',
        'how long a backend may take to start answering when the route sets no timeout (504 after; 0 disables; default 90000)',
      )
        .argParser(count)
        .env('PROXY_UPSTREAM_RESPONSE_TIMEOUT_MS'),
    )
    .addOption(
      new Option('--drain-ms <n>', 'on SIGTERM/SIGINT, how long in-flight requests may take to finish')
        .argParser(count)
        .default(10_000)
        .env('PROXY_DRAIN_MS'),
    )
    .addOption(
      new Option(
        '--workers <n>',
        'worker processes sharing the data-plane ports (about one per CPU core the pod may use); 0 serves in this process',
      )
        .argParser(count)
        .default(1)
        .env('PROXY_WORKERS'),
    )
    .addOption(
      new Option(
        '--retired-rule-metrics-ms <n>',
        'how long /metrics keeps the series of a rule the running config no longer has',
      )
        .argParser(count)
        .default(30_000)
        .env('PROXY_RETIRED_RULE_METRICS_MS'),
    )
    .addOption(accessLogOption('PROXY_ACCESS_LOG'))
    .addOption(new Option('--log-level <level>', 'pino log level').default('info').env('LOG_LEVEL'))
    .action(async (flags: ProxyFlags) => {
      const logger = createLogger(flags.logLevel);
      if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey))
        throw new InvalidArgumentError('--tls-cert and --tls-key go together');
      // Made only by the processes that serve (a primary with workers opens no access log of its own).
      const dataPlane = () => dataPlaneOptions(flags);
      // A forked worker runs this same command line: it serves, and leaves the admin API to the primary.
      // The proxy is loaded here, not at the top, so `--help` and the other commands do not pay for it.
      if (cluster.isWorker) return (await import('../../proxy/cluster/worker.js')).runProxyWorker(dataPlane(), logger);
      const [{ startProxy }, { isLoopback }, { startProxyCluster }] = await Promise.all([
        import('../../proxy/index.js'),
        import('../../proxy/admin/auth.js'),
        import('../../proxy/cluster/primary.js'),
      ]);
      const adminToken = flags.adminTokenFile ? readFileSync(flags.adminTokenFile, 'utf8').trim() : undefined;
      const proxy = await (
        flags.workers === 0
          ? startProxy({
              ...dataPlane(),
              admin: flags.admin,
              adminToken,
              adminAllowedHosts: flags.adminAllowedHosts,
              logger,
            })
          : startProxyCluster({
              workers: flags.workers,
              admin: flags.admin,
              adminToken,
              adminAllowedHosts: flags.adminAllowedHosts,
              logger,
              onFatal: () => void exitAfterLogs(logger, 1),
            })
      ).catch((err: Error) => {
        logger.fatal({ err: err.message }, 'proxy could not start');
        process.exit(1);
      });
      if (!adminToken && !isLoopback(flags.admin.host))
        logger.warn(
          { admin: flags.admin.host },
          'admin API is not on loopback and has no token: every PUT /config will be refused (401)',
        );
      // One line a supervisor (or a test) can parse for the actual ports.
      logger.info(
        { ports: proxy.ports, workers: flags.workers, adminAuth: adminToken ? 'token' : 'loopback-only' },
        'proxy ready for config',
      );
      // The first SIGTERM/SIGINT drains (in-flight requests get --drain-ms, the whole shutdown 5 s more);
      // a second one exits at once.
      onShutdownSignal(logger, () => proxy.close(flags.drainMs), flags.drainMs + 5_000);
    });
}

function dataPlaneOptions(flags: ProxyFlags): Omit<ProxyOptions, 'admin' | 'adminToken'> {
  return {
    listen: flags.listen,
    tlsListen: flags.tlsListen,
    retiredRuleMetricsMs: flags.retiredRuleMetricsMs,
    accessLog: accessLogOptions(flags.accessLog),
    limits: limitFlags(flags),
    tls:
      flags.tlsCert && flags.tlsKey
        ? { cert: readFileSync(flags.tlsCert, 'utf8'), key: readFileSync(flags.tlsKey, 'utf8') }
        : undefined,
  };
}

/** Only the limits given on the command line: the rest keep their defaults (proxy/limits.ts). */
function limitFlags(flags: ProxyFlags): ProxyOptions['limits'] {
  const limits: NonNullable<ProxyOptions['limits']> = {};
  if (flags.maxBodyBytes !== undefined) limits.maxBodyBytes = flags.maxBodyBytes;
  if (flags.upstreamResponseTimeoutMs !== undefined) limits.upstreamResponseTimeoutMs = flags.upstreamResponseTimeoutMs;
  return limits;
}
