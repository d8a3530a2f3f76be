// The controller process, started with the args and env of the rendered Deployment, against the API server
// double loaded with the `example` overlay: every request it makes must be one the install's RBAC allows.
// This checks what the source-derived list (rbac.test.ts) cannot: calls made through code paths a text scan
// misses. The Cloudflare flags are left out (the edge makes no Kubernetes calls and only loopback is reachable).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startFakeApiServer, type FakeApiServer, type RecordedRequest } from '../support/fake-apiserver/server.js';
import { writeKubeconfig } from '../support/fake-apiserver/kubeconfig.js';
import { parseResourcePath } from '../support/fake-apiserver/routes.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { describe as describeRequest, grantsFor, isAllowed, type ApiRequest } from './support/rbac.js';
import { flagValue, ofKind, render, type Container, type K8s } from './support/render.js';

const objects = render('example');
const deployment = ofKind(objects, 'Deployment').find((d) =>
  (d.spec.template.spec.containers as Container[]).some((c) => c.args?.[0] === 'controller'),
)!;
const container = (deployment.spec.template.spec.containers as Container[]).find((c) => c.args?.[0] === 'controller')!;
const namespace = deployment.metadata.namespace!;
const grants = grantsFor(objects, { name: deployment.spec.template.spec.serviceAccountName, namespace });

let api: FakeApiServer;
let controller: CliProcess | undefined;
let stoppedWith: number | null | undefined;

/** Container args as the kubelet would pass them: $(VAR) expanded; Cloudflare and admin address adjusted. */
function controllerArgs(kubeconfig: string): string[] {
  const env: Record<string, string> = { POD_NAMESPACE: namespace };
  const args = container
    .args!.filter((a) => !/^--(account-id|tunnel-id)=/.test(a))
    .map((a) =>
      a.replace(/\$\((\w+)\)/g, (_, name: string) => {
        if (!(name in env)) throw new Error(`no test value for $(${name})`);
        return env[name]!;
      }),
    )
    .map((a) => (a.startsWith('--admin=') ? '--admin=127.0.0.1:0' : a));
  return [...args, `--kubeconfig=${kubeconfig}`];
}

/** A loopback port with nothing listening: the proxy replica the controller discovers but cannot reach. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function seedServedObjects(): void {
  for (const object of objects) {
    const [group] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : [''];
    if (!api.types.some((t) => t.group === group && t.kind === object.kind)) continue; // e.g. Deployments
    api.seed(structuredClone(object) as K8s);
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; controller stderr: ${controller?.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The authorization request a recorded HTTP request stands for; undefined for non-resource paths. */
function toApiRequest(r: RecordedRequest): ApiRequest | undefined {
  const parsed = parseResourcePath(api.types, r.path);
  if (!parsed) return undefined;
  const watch = ['1', 'true'].includes(r.query.get('watch') ?? '');
  // A list or watch selecting one name is authorized as a request for that name (RequestInfo does this).
  const selected = /^metadata\.name=([^,]+)$/.exec(r.query.get('fieldSelector') ?? '')?.[1];
  const name = parsed.name ?? (r.method === 'GET' ? selected : undefined);
  const verb =
    {
      GET: parsed.name ? 'get' : watch ? 'watch' : 'list',
      POST: 'create',
      PUT: 'update',
      PATCH: 'patch',
      DELETE: parsed.name ? 'delete' : 'deletecollection',
    }[r.method] ?? r.method.toLowerCase();
  return {
    verb,
    group: parsed.resource.group,
    resource: parsed.resource.plural,
    ...(parsed.subresource ? { subresource: parsed.subresource } : {}),
    ...(parsed.namespace ? { namespace: parsed.namespace } : {}),
    ...(name ? { name } : {}),
  };
}

const statusOf = (kind: string, name: string) =>
  api.store.list(api.type('gateway.networking.k8s.io', kind)).find((o) => o.metadata.name === name)?.status;

beforeAll(async () => {
  api = await startFakeApiServer({ namespaces: ['default', 'kube-system'] });
  seedServedObjects();
  // The proxy's headless Service has one (not yet ready) replica: discovery and push paths run too.
  api.seed({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace,
      name: `${flagValue(container.args!, '--proxy-service')}-1`,
      labels: { 'kubernetes.io/service-name': flagValue(container.args!, '--proxy-service')! },
    },
    addressType: 'IPv4',
    ports: [{ name: 'admin', port: await closedPort(), protocol: 'TCP' }],
    endpoints: [
      {
        addresses: ['127.0.0.1'],
        conditions: { ready: false },
        targetRef: { kind: 'Pod', namespace, name: 'proxy-0' },
      },
    ],
  });
  controller = runCli(controllerArgs(writeKubeconfig(api.url)));
  await waitFor(
    () =>
      (statusOf('HTTPRoute', 'echo')?.parents ?? []).length > 0 &&
      (statusOf('GRPCRoute', 'grpc-health')?.parents ?? []).length > 0,
    'route statuses written by the controller',
    90_000,
  );
  stoppedWith = await controller.stop('SIGTERM'); // a leader releases its Lease on the way out
}, 120_000);

afterAll(async () => {
  await controller?.stop('SIGKILL');
  await api?.stop();
});

describe('the controller as deployed, against the API server double', () => {
  it('exits cleanly on SIGTERM', () => {
    expect(stoppedWith).toBe(0);
  });

  it('made the calls a working controller makes (list, watch, lease, admin token, status patch, event)', () => {
    const seen = new Set(
      api.requests
        .map(toApiRequest)
        .filter((r) => r !== undefined)
        .map((r) => `${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ''}`),
    );
    for (const call of [
      'list httproutes',
      'watch httproutes',
      'watch endpointslices',
      'list configmaps',
      'watch configmaps',
      'create leases',
      'update leases',
      'create secrets',
      'patch httproutes/status',
      'patch gateways/status',
      'create events',
    ]) {
      expect([call, seen.has(call)]).toEqual([call, true]);
    }
  });

  it("made only requests the install's RBAC allows", () => {
    const denied = api.requests.flatMap((r) => {
      const request = toApiRequest(r);
      return request && !isAllowed(grants, request) ? [`${describeRequest(request)} (${r.method} ${r.path})`] : [];
    });
    expect([...new Set(denied)]).toEqual([]);
  });

  it('otherwise only read discovery documents, which every authenticated user may', () => {
    const other = api.requests.filter((r) => !toApiRequest(r)).map((r) => `${r.method} ${r.path}`);
    expect(
      other.filter((line) => !/^GET \/(api|apis)(\/[^/]+){0,2}$|^GET \/(version|openapi\/.*)$/.test(line)),
    ).toEqual([]);
  });
});
