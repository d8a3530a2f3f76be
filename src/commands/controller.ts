// `tunnel-gateway controller`: the in-cluster controller. Watches Gateway API resources through the
// Kubernetes API, writes their status, pushes routing config to the proxy replicas behind --proxy-service
// and, with --account-id, manages the tunnel's ingress and DNS through the Cloudflare API.
import { existsSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULT_CONTROLLER_NAME } from '../core/types.js';
import { createLogger, type Logger } from '../log.js';
import { envFlag, parseHostPort, parsePort, formatHostPort, type HostPort } from './options.js';
import { onShutdownSignal } from '../runtime/signals.js';
import type { CloudflareEdge } from '../cloudflare/index.js';

interface ControllerFlags {
  kubeconfig?: string;
  controllerName: string;
  namespace?: string;
  proxyService?: string;
  proxyAdminPort: number;
  proxyHttpPort: number;
  proxyTlsPort: number;
  adminTokenSecret?: string;
  paramsConfigmap?: string;
  generateAdminToken?: boolean;
  leaderElect?: boolean;
  leaseName: string;
  leaseDuration: number;
  admin: HostPort;
  cloudflareApiUrl?: string;
  accountId?: string;
  tunnelId?: string;
  externalNameServices?: boolean;
  logLevel: string;
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function controllerCommand(): Command {
  return new Command('controller')
    .description(
      'run the in-cluster controller: Gateway API status, config pushes to proxy replicas, Cloudflare tunnel ingress and DNS',
    )
    .addOption(
      new Option(
        '--kubeconfig <file>',
        'kubeconfig to use (default: in-cluster service account, then ~/.kube/config)',
      ).env('KUBECONFIG'),
    )
    .addOption(
      new Option('--controller-name <name>', 'GatewayClass controllerName to own')
        .default(DEFAULT_CONTROLLER_NAME)
        .env('CONTROLLER_NAME'),
    )
    .addOption(
      new Option(
        '--namespace <ns>',
        "namespace of the controller's Lease, the proxy Service and the admin token Secret (default: the pod's)",
      ).env('POD_NAMESPACE'),
    )
    .addOption(
      new Option(
        '--proxy-service <name>',
        'headless Service of the proxy replicas; their EndpointSlices are where configs are pushed',
      ).env('PROXY_SERVICE'),
    )
    .addOption(
      new Option('--proxy-admin-port <port>', "the proxy replicas' admin port")
        .argParser(parsePort)
        .default(9901)
        .env('PROXY_ADMIN_PORT'),
    )
    .addOption(
      new Option('--proxy-http-port <port>', 'port cloudflared uses to reach the proxy in its pod (plain HTTP)')
        .argParser(parsePort)
        .default(8080)
        .env('PROXY_HTTP_PORT'),
    )
    .addOption(
      new Option('--proxy-tls-port <port>', 'loopback TLS port cloudflared uses for gRPC hostnames')
        .argParser(parsePort)
        .default(8443)
        .env('PROXY_TLS_PORT'),
    )
    .addOption(
      new Option('--admin-token-secret <name>', 'Secret (key "token") holding the proxy admin bearer token').env(
        'PROXY_ADMIN_TOKEN_SECRET',
      ),
    )
    .addOption(
      new Option(
        '--params-configmap <name>',
        "ConfigMap in --namespace holding the GatewayClass parameters (its parametersRef): watched, so accessLog switches the proxies' access log without a restart",
      ).env('PARAMS_CONFIGMAP'),
    )
    .addOption(
      new Option(
        '--generate-admin-token',
        'create the admin token Secret with a random token when it does not exist (env: GENERATE_ADMIN_TOKEN=true)',
      ),
    )
    .addOption(
      new Option(
        '--leader-elect',
        'elect one active controller through a coordination.k8s.io Lease (run several replicas) (env: LEADER_ELECT=true)',
      ),
    )
    .addOption(
      new Option('--lease-name <name>', 'name of the Lease').default('tunnel-gateway-controller').env('LEASE_NAME'),
    )
    .addOption(
      new Option('--lease-duration <seconds>', 'Lease duration; a leader that cannot renew for 2/3 of it stops acting')
        .argParser(parsePort)
        .default(15)
        .env('LEASE_DURATION_SECONDS'),
    )
    .addOption(
      new Option('--admin <host:port>', 'health (/healthz, /readyz), /metrics and /debug/')
        .argParser(parseHostPort)
        .default(parseHostPort('0.0.0.0:8081'), '0.0.0.0:8081')
        .env('CONTROLLER_ADMIN'),
    )
    .addOption(
      new Option('--cloudflare-api-url <url>', 'Cloudflare API base URL (default: the real API)').env(
        'CLOUDFLARE_API_URL',
      ),
    )
    .addOption(
      new Option(
        '--account-id <id>',
        'Cloudflare account id: manage the tunnel ingress and DNS (token from CLOUDFLARE_API_TOKEN)',
      ).env('CLOUDFLARE_ACCOUNT_ID'),
    )
    .addOption(
      new Option('--tunnel-id <id>', 'Cloudflare tunnel id (its cloudflared connectors run in the proxy pods)').env(
        'CLOUDFLARE_TUNNEL_ID',
      ),
    )
    .addOption(
      new Option(
        '--external-name-services',
        'forward to type: ExternalName Services (off: a Service writer could point routes at any name the proxy reaches; see docs/security.md)' +
          ' (env: EXTERNAL_NAME_SERVICES=true)',
      ),
    )
    .addOption(new Option('--log-level <level>', 'pino log level').default('info').env('LOG_LEVEL'))
    .action(async (flags: ControllerFlags) => {
      const logger = createLogger(flags.logLevel);
      // Loaded here, not at the top: a proxy pod runs the same CLI and needs none of this.
      const [{ KubeConfig }, { runController }] = await Promise.all([
        import('@kubernetes/client-node'),
        import('../kubernetes/controller.js'),
      ]);
      const kubeConfig = new KubeConfig();
      if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
      else kubeConfig.loadFromDefault();
      const namespace = flags.namespace ?? podNamespace();
      const edge = flags.accountId ? await connectCloudflare(flags, logger) : undefined;
      const controller = await runController({
        kubeConfig,
        namespace,
        logger,
        edge,
        extraMetrics: edge?.metrics.registry,
        controllerName: flags.controllerName,
        proxyService: flags.proxyService,
        proxyAdminPort: flags.proxyAdminPort,
        proxyHttpPort: flags.proxyHttpPort,
        proxyTlsPort: flags.proxyTlsPort,
        adminTokenSecret: flags.adminTokenSecret,
        paramsConfigMap: flags.paramsConfigmap,
        generateAdminToken: flags.generateAdminToken ?? envFlag('GENERATE_ADMIN_TOKEN'),
        leaderElect: flags.leaderElect ?? envFlag('LEADER_ELECT'),
        leaseName: flags.leaseName,
        leaseTiming: leaseTiming(flags.leaseDuration),
        admin: flags.admin,
        tunnelId: flags.tunnelId,
        externalNameServices: flags.externalNameServices ?? envFlag('EXTERNAL_NAME_SERVICES'),
      });
      // One line a supervisor (or a test) can parse for the bound admin address.
      logger.info(
        { admin: controller.admin && formatHostPort({ host: flags.admin.host, port: controller.admin.port }) },
        'controller serving',
      );
      onShutdownSignal(logger, () => controller.close());
    });
}

/** client-go's proportions (15 s lease, 10 s renew deadline, 2 s retry), scaled to the lease duration. */
function leaseTiming(seconds: number) {
  const ms = seconds * 1000;
  return {
    leaseDurationMs: ms,
    renewDeadlineMs: Math.round((ms * 2) / 3),
    renewIntervalMs: Math.max(100, Math.round(ms / 7.5)),
    retryPeriodMs: Math.max(100, Math.round(ms / 7.5)),
  };
}

function podNamespace(): string {
  return existsSync(SERVICE_ACCOUNT_NAMESPACE) ? readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() : 'default';
}

async function connectCloudflare(flags: ControllerFlags, logger: Logger): Promise<CloudflareEdge> {
  if (!flags.tunnelId || flags.tunnelId === 'create') {
    throw new Error(
      '--tunnel-id is required with --account-id: in a cluster the tunnel and its connector token are provisioned up front',
    );
  }
  const { cloudflareEdgeFromFlags } = await import('../cloudflare/index.js');
  return cloudflareEdgeFromFlags({
    cloudflareApiUrl: flags.cloudflareApiUrl,
    accountId: flags.accountId!,
    tunnelId: flags.tunnelId,
    ownerId: flags.controllerName,
    logger,
  });
}
