// `tunnel-gateway standalone`: controller + proxy in one process, from a folder of manifests.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONTROLLER_NAME } from '../core/types.js';
import { createLogger } from '../log.js';
import { accessLogOption, accessLogOptions, type AccessLogFlag } from './access-log.js';
import { adminAllowedHostsOption, envFlag, formatHostPort, hostPortOption, type HostPort } from './options.js';
import { exitOnFatal, onShutdownSignal } from '../runtime/signals.js';
import type { CloudflareEdge } from '../cloudflare/index.js';
import type { Logger } from '../log.js';

interface StandaloneFlags {
  manifests: string;
  listen: HostPort;
  tlsListen: HostPort;
  admin: HostPort;
  adminTokenFile?: string;
  adminAllowedHosts?: string[];
  maxManifestBytes?: number;
  controllerName: string;
  tunnelId?: string;
  cloudflareApiUrl?: string;
  accountId?: string;
  tunnelTokenFile?: string;
  externalNameServices?: boolean;
  accessLog: AccessLogFlag;
  workers: number;
  logLevel: string;
}

export function standaloneCommand(): Command {
  return (
    new Command('standalone')
      .description(
        'serve Gateway API manifests from a folder: translator, actors and proxy in one process, no Kubernetes needed',
      )
      .requiredOption(
        '--manifests <path>',
        'file or folder of YAML/JSON manifests (recursive); watched, changes apply within a second',
      )
      .addOption(
        new Option(
          '--max-manifest-bytes <n>',
          'largest manifest file read (default 16 MiB); bigger files, FIFOs and devices are skipped and logged',
        )
          .argParser(byteCount)
          .env('MAX_MANIFEST_BYTES'),
      )
      .addOption(hostPortOption('--listen <host:port>', 'data plane (HTTP/1.1 and h2c)', '127.0.0.1:8080'))
      .addOption(
        hostPortOption(
          '--tls-listen <host:port>',
          'loopback TLS port (h2 + http/1.1) that cloudflared uses for gRPC hostnames',
          '127.0.0.1:8443',
        ),
      )
      .addOption(
        hostPortOption(
          '--admin <host:port>',
          'admin API: /readyz, /healthz, /metrics, /config, /status, /debug/',
          '127.0.0.1:9901',
        ),
      )
      .addOption(
        new Option(
          '--admin-token-file <file>',
          'bearer token for the admin API (required when --admin is not loopback)',
        ).env('ADMIN_TOKEN_FILE'),
      )
      .addOption(adminAllowedHostsOption('ADMIN_ALLOWED_HOSTS'))
      .addOption(
        new Option('--controller-name <name>', 'GatewayClass controllerName to own')
          .default(DEFAULT_CONTROLLER_NAME)
          .env('CONTROLLER_NAME'),
      )
      .addOption(
        new Option(
          '--tunnel-id <id>',
          'Cloudflare tunnel id, or "create" to find-or-create one (with --account-id)',
        ).env('CLOUDFLARE_TUNNEL_ID'),
      )
      .addOption(
        new Option(
          '--account-id <id>',
          'Cloudflare account id: manage the tunnel ingress and DNS for real (token from CLOUDFLARE_API_TOKEN)',
        ).env('CLOUDFLARE_ACCOUNT_ID'),
      )
      .addOption(
        new Option('--cloudflare-api-url <url>', 'Cloudflare API base URL (default: the real API)').env(
          'CLOUDFLARE_API_URL',
        ),
      )
      .addOption(
        new Option(
          '--external-name-services',
          'forward to type: ExternalName Services (off: a Service writer could point routes at any name the proxy reaches; see docs/security.md)' +
            ' (env: EXTERNAL_NAME_SERVICES=true)',
        ),
      )
      // No default: the token is a secret, and a default path would drop it into whatever folder this runs in.
      .addOption(
        new Option(
          '--tunnel-token-file <file>',
          "write the tunnel's connector token to this file (mode 0600) for `cloudflared tunnel run --token-file`; without it the token is neither fetched nor written",
        ).env('TUNNEL_TOKEN_FILE'),
      )
      .addOption(accessLogOption('ACCESS_LOG'))
      .addOption(
        new Option(
          '--workers <n>',
          'worker processes that serve traffic, so config changes never delay a request; 0 serves in this process (less memory)',
        )
          .argParser(workerCount)
          .default(1)
          .env('STANDALONE_WORKERS'),
      )
      .addOption(new Option('--log-level <level>', 'pino log level').default('info').env('LOG_LEVEL'))
      .action(async (flags: StandaloneFlags) => {
        const logger = createLogger(flags.logLevel);
        // A forked worker runs this same command line: it serves the data ports and takes configs from the
        // primary, which runs the control plane and the admin API.
        if (cluster.isWorker)
          return (await import('../../proxy/cluster/worker.js')).runProxyWorker(
            { listen: flags.listen, tlsListen: flags.tlsListen, accessLog: accessLogOptions(flags.accessLog) },
            logger,
          );
        const adminToken = flags.adminTokenFile ? readFileSync(flags.adminTokenFile, 'utf8').trim() : undefined;
        const edge = flags.accountId ? await connectCloudflare(flags, logger) : undefined;
        // Loaded here, not at the top: other commands of the same CLI (a proxy worker) need none of this.
        const { runStandalone } = await import('../runtime/standalone.js');
        const app = await runStandalone({
          manifests: flags.manifests,
          listen: flags.listen,
          tlsListen: flags.tlsListen,
          admin: flags.admin,
          adminToken,
          adminAllowedHosts: flags.adminAllowedHosts,
          maxManifestBytes: flags.maxManifestBytes,
          controllerName: flags.controllerName,
          tunnelId: flags.tunnelId,
          externalNameServices: flags.externalNameServices ?? envFlag('EXTERNAL_NAME_SERVICES'),
          accessLog: accessLogOptions(flags.accessLog),
          workers: flags.workers,
          edge,
          extraMetrics: edge?.metrics.registry,
          logger,
          onFatal: exitOnFatal(logger),
        });
        // The process's own CPU, memory, event loop and GC series: this command owns the process (an embedder
        // of runStandalone may run several in one).
        const { collectDefaultMetrics } = await import('prom-client');
        collectDefaultMetrics({ register: app.proxy.metrics });
        const { http, tls, admin } = app.proxy.ports;
        logger.info(
          {
            listen: formatHostPort({ host: flags.listen.host, port: http }),
            tls: tls && formatHostPort({ host: flags.tlsListen.host, port: tls }),
            admin: admin && formatHostPort({ host: flags.admin.host, port: admin }),
            workers: flags.workers,
          },
          'standalone serving',
        );
        onShutdownSignal(logger, () => app.close());
      })
  );
}

/** Builds the Cloudflare edge and resolves the tunnel up front, so Gateway addresses carry its id at once. */
async function connectCloudflare(flags: StandaloneFlags, logger: Logger): Promise<CloudflareEdge> {
  const { cloudflareEdgeFromFlags, tokenFileWriter } = await import('../cloudflare/index.js');
  const edge = cloudflareEdgeFromFlags({
    cloudflareApiUrl: flags.cloudflareApiUrl,
    accountId: flags.accountId!,
    tunnelId: flags.tunnelId,
    logger,
    onTunnelToken: flags.tunnelTokenFile ? tokenFileWriter(flags.tunnelTokenFile, logger) : undefined,
  });
  if (!flags.tunnelTokenFile)
    logger.info(
      'no --tunnel-token-file: the tunnel connector token is not fetched nor written (cloudflared gets it elsewhere)',
    );
  try {
    const id = await edge.ensureTunnel(AbortSignal.timeout(15_000));
    logger.info({ tunnelId: id }, 'cloudflare tunnel resolved');
  } catch (err) {
    // Not fatal: the edge actor keeps retrying with backoff, and statuses show the placeholder meanwhile.
    logger.warn({ err: (err as Error).message }, 'cloudflare tunnel not resolved yet; will retry');
  }
  return edge;
}

function byteCount(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive number of bytes, got "${value}"`);
  return n;
}

function workerCount(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 64)
    throw new InvalidArgumentError(`expected a number of worker processes from 0 to 64, got "${value}"`);
  return n;
}
