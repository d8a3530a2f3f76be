// In-cluster controller wiring: informer source → actor system (translator inside) → status sink (merge patch
// on /status), proxy replicas discovered from EndpointSlices, the Cloudflare edge when configured, and a
// Lease when leader election is on. Followers keep their caches warm and push nothing, write nothing.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { createControlPlane, type ControlPlane } from '../runtime/control-plane.js';
import { translateSteps } from '../translate/index.js';
import type { EdgeAdapter, ReplicaEndpoint } from '../core/ports.js';
import { silentLogger, type Logger } from '../log.js';
import { KubeRest } from './rest.js';
import { KubernetesSource } from './informer-source.js';
import { KubernetesStatusSink } from './status-sink.js';
import { EventRecorder } from './events.js';
import { KubernetesLease, type LeaseTiming } from './lease.js';
import { ReplicaDiscovery } from './replicas.js';
import { resolveAdminToken } from './admin-token.js';
import { startAdminServer, type AdminServer } from './admin-server.js';
import { controllerRegistry } from './metrics.js';
import { exitOnFatal } from '../runtime/signals.js';
import { serveAlso } from '../runtime/metrics.js';
import { Registry } from 'prom-client';

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  controllerName: string;
  namespace: string;
  proxyService?: string;
  proxyAdminPort: number;
  proxyHttpPort: number;
  proxyTlsPort: number;
  adminTokenSecret?: string;
  /** The GatewayClass parameters ConfigMap in `namespace`, watched for accessLog (none: not watched). */
  paramsConfigMap?: string;
  generateAdminToken?: boolean;
  leaderElect: boolean;
  leaseName: string;
  leaseTiming?: Partial<LeaseTiming>;
  /** Identity in the Lease and in Events (default: pod/host name plus a random suffix). */
  identity?: string;
  admin?: { host: string; port: number };
  edge?: EdgeAdapter & { tunnelId?(): string | undefined };
  /** More metrics to serve on the admin port's /metrics (the Cloudflare edge's). */
  extraMetrics?: Registry;
  tunnelId?: string;
  /** Forward to ExternalName Services (TranslateOptions.externalNameServices). */
  externalNameServices?: boolean;
  logger?: Logger;
}

export interface Controller {
  controlPlane: ControlPlane;
  source: KubernetesSource;
  admin?: AdminServer;
  close(): Promise<void>;
}

export async function runController(o: ControllerOptions): Promise<Controller> {
  const logger = o.logger ?? silentLogger;
  const rest = await KubeRest.fromKubeConfig(o.kubeConfig);
  const identity = o.identity ?? `${process.env.POD_NAME ?? hostname()}_${randomBytes(4).toString('hex')}`;
  const lease = o.leaderElect
    ? new KubernetesLease({ rest, namespace: o.namespace, name: o.leaseName, identity, timing: o.leaseTiming, logger })
    : undefined;
  const paramsConfigMap = o.paramsConfigMap ? { namespace: o.namespace, name: o.paramsConfigMap } : undefined;
  const source = new KubernetesSource({ kubeConfig: o.kubeConfig, rest, logger, paramsConfigMap });
  const events = new EventRecorder({
    rest,
    controllerName: o.controllerName,
    instance: identity,
    defaultNamespace: o.namespace,
    logger,
  });
  const sink = new KubernetesStatusSink({
    rest,
    controllerName: o.controllerName,
    events,
    logger,
    canWrite: lease && (() => lease.holds()),
  });
  const registry = new Registry();
  serveAlso(registry, o.extraMetrics);
  const controlPlane = createControlPlane({
    source,
    statusSink: sink,
    edge: o.edge,
    logger,
    lease,
    onFatal: exitOnFatal(logger),
    metrics: registry,
    rehearse: true,
    translate: (snapshot) =>
      translateSteps(snapshot, {
        controllerName: o.controllerName,
        now: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        tunnelId: o.tunnelId && o.tunnelId !== 'create' ? o.tunnelId : o.edge?.tunnelId?.(),
        proxyHttpPort: o.proxyHttpPort,
        proxyTlsPort: o.proxyTlsPort,
        externalNameServices: o.externalNameServices,
      }),
  });
  let replicas: ReplicaEndpoint[] = [];
  const discovery = o.proxyService
    ? await startDiscovery(o, rest, logger, (list) => {
        replicas = list;
        logger.info({ replicas: list.map((r) => ({ id: r.id, push: r.ready })) }, 'proxy replicas changed');
        controlPlane.setReplicas(list);
      })
    : undefined;
  const isLeader = () => (lease ? lease.holds() : true);
  const admin = o.admin
    ? await startAdminServer({
        ...o.admin,
        controlPlane,
        registry: controllerRegistry(
          {
            sink,
            source,
            isLeader,
            replicas: () => ({
              ready: replicas.filter((r) => r.ready).length,
              notReady: replicas.filter((r) => !r.ready).length,
            }),
          },
          registry,
        ),
        ready: () => controlPlane.stats().syncs > 0,
        state: () => ({
          identity,
          leader: isLeader(),
          source: source.stats(),
          missingKinds: source.missingKinds(),
          statusWrites: sink.stats,
          replicas: replicas.map((r) => ({ id: r.id, ready: r.ready })),
        }),
      })
    : undefined;
  await controlPlane.start();
  discovery?.start();
  logger.info(
    { identity, leaderElect: o.leaderElect, admin: admin?.port, proxyService: o.proxyService },
    'controller started',
  );
  return {
    controlPlane,
    source,
    admin,
    async close() {
      await discovery?.stop();
      await controlPlane.stop();
      await admin?.close();
      await rest.close();
    },
  };
}

async function startDiscovery(
  o: ControllerOptions,
  rest: KubeRest,
  logger: Logger,
  onChange: (l: ReplicaEndpoint[]) => void,
): Promise<ReplicaDiscovery> {
  const adminToken = o.adminTokenSecret
    ? await resolveAdminToken({
        rest,
        namespace: o.namespace,
        secretName: o.adminTokenSecret,
        generate: o.generateAdminToken,
      })
    : undefined;
  if (!adminToken)
    logger.warn(
      'no --admin-token-secret: pushing to proxy replicas without a token (their admin port must be loopback-only)',
    );
  return new ReplicaDiscovery({
    kubeConfig: o.kubeConfig,
    rest,
    namespace: o.namespace,
    service: o.proxyService!,
    adminPort: o.proxyAdminPort,
    adminToken,
    logger,
    onChange,
  });
}
