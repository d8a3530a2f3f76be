// The API server double itself, driven by the real kubectl (get, apply, patch --subresource=status, delete)
// and by raw HTTP for the semantics the adapters depend on (409 on a stale resourceVersion, generation
// bumps on spec changes only, status only through /status, watch resume and 410 Gone).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { writeKubeconfig } from '../support/fake-apiserver/kubeconfig.js';

const run = promisify(execFile);
let api: FakeApiServer;
let kubeconfig: string;
const dir = mkdtempSync(join(tmpdir(), 'fake-api-test-'));

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 });
  return stdout;
}

async function http(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: body ? { 'content-type': contentType } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const manifest = (port: number, hostname: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: cf
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: default}
spec:
  hostnames: [${hostname}]
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: ${port}}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  ports: [{name: http, port: ${port}}, {name: admin, port: 9000}]
`;

beforeAll(async () => {
  api = await startFakeApiServer();
  kubeconfig = writeKubeconfig(api.url);
});

afterAll(async () => {
  await api.stop();
});

describe('kubectl against the double', () => {
  it('applies, re-applies (merge patch for CRDs, strategic merge for built-ins) and gets', async () => {
    const file = join(dir, 'app.yaml');
    writeFileSync(file, manifest(80, 'a.example.com'));
    expect(await kubectl('apply', '-f', file)).toMatch(/httproute.gateway.networking.k8s.io\/web created/);
    const route = JSON.parse(await kubectl('get', 'httproute', 'web', '-o', 'json'));
    expect(route.metadata.generation).toBe(1);
    expect(route.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('a.example.com');
    expect(route.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]); // CRD defaults

    writeFileSync(file, manifest(8080, 'b.example.com'));
    expect(await kubectl('apply', '-f', file)).toMatch(/httproute.gateway.networking.k8s.io\/web configured/);
    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(patches.find((r) => r.path.endsWith('/httproutes/web'))?.contentType).toBe('application/merge-patch+json');
    expect(patches.find((r) => r.path.endsWith('/services/web'))?.contentType).toBe(
      'application/strategic-merge-patch+json',
    );
    const after = JSON.parse(await kubectl('get', 'httproute', 'web', '-o', 'json'));
    expect(after.metadata.generation).toBe(2);
    expect(after.spec.hostnames).toEqual(['b.example.com']);
    const svc = JSON.parse(await kubectl('get', 'service', 'web', '-o', 'json'));
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 8080 },
      { name: 'admin', port: 9000 },
    ]);
    expect(await kubectl('get', 'gateways,httproutes', '-n', 'default')).toMatch(/gateway.networking.k8s.io\/gw/);
  });

  it('patches the status subresource without touching spec or generation', async () => {
    const accepted = {
      type: 'Accepted',
      status: 'True',
      reason: 'Accepted',
      message: '',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    };
    const status = {
      parents: [{ parentRef: { name: 'gw' }, controllerName: 'example.com/ctl', conditions: [accepted] }],
    };
    await kubectl(
      'patch',
      'httproute',
      'web',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status, spec: { hostnames: ['x'] } }),
    );
    const route = JSON.parse(await kubectl('get', 'httproute', 'web', '-o', 'json'));
    const defaulted = {
      parents: [
        { ...status.parents[0], parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' } },
      ],
    };
    expect(route.status).toEqual(defaulted);
    expect(route.spec.hostnames).toEqual(['b.example.com']);
    expect(route.metadata.generation).toBe(2);
    // A write to the main resource cannot change status.
    await kubectl(
      'patch',
      'httproute',
      'web',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { parents: [] }, metadata: { labels: { a: 'b' } } }),
    );
    const again = JSON.parse(await kubectl('get', 'httproute', 'web', '-o', 'json'));
    expect(again.status).toEqual(defaulted);
    expect(again.metadata.generation).toBe(2); // labels are metadata, not spec
    expect(await kubectl('get', 'httproute', '-l', 'a=b', '-o', 'name')).toBe(
      'httproute.gateway.networking.k8s.io/web\n',
    );
  });

  it("prints the CRD's printer columns in kubectl get (server-side tables)", async () => {
    await http('POST', '/apis/gateway.networking.k8s.io/v1/gatewayclasses', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'cf' },
      spec: { controllerName: 'example.com/ctl' },
    });
    await kubectl(
      'patch',
      'gatewayclass',
      'cf',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          conditions: [
            {
              type: 'Accepted',
              status: 'True',
              reason: 'Accepted',
              message: '',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      }),
    );
    const lines = (await kubectl('get', 'gatewayclass', 'cf'))
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(lines[0]).toEqual(['NAME', 'CONTROLLER', 'ACCEPTED', 'AGE']);
    expect(lines[1]!.slice(0, 3)).toEqual(['cf', 'example.com/ctl', 'True']);
    expect(lines[1]![3]).toMatch(/^\d+s$/);
    const gw = (await kubectl('get', 'gateways', '-n', 'default')).trim().split('\n')[0]!.split(/\s+/);
    expect(gw).toEqual(['NAME', 'CLASS', 'ADDRESS', 'PROGRAMMED', 'AGE']);
  });

  it('deletes', async () => {
    await kubectl('delete', 'httproute', 'web');
    const res = await http('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/web');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });
});

describe('API semantics over HTTP', () => {
  const routes = '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes';

  it('answers 409 to a stale update and to a patch carrying a stale resourceVersion', async () => {
    const created = await http('POST', routes, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: {},
    });
    expect(created.status).toBe(201);
    const stale = created.body.metadata.resourceVersion;
    const updated = await http('PUT', `${routes}/r`, { ...created.body, spec: { hostnames: ['a.example.com'] } });
    expect(updated.status).toBe(200);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(stale));
    expect((await http('PUT', `${routes}/r`, { ...created.body, spec: { hostnames: ['b.example.com'] } })).status).toBe(
      409,
    );
    const patch = await http(
      'PATCH',
      `${routes}/r/status`,
      { metadata: { resourceVersion: stale }, status: { parents: [] } },
      'application/merge-patch+json',
    );
    expect(patch.status).toBe(409);
    expect(patch.body.reason).toBe('Conflict');
    // A no-op write does not move the resourceVersion.
    const same = await http('PUT', `${routes}/r`, updated.body);
    expect(same.body.metadata.resourceVersion).toBe(updated.body.metadata.resourceVersion);
  });

  it('serves watches from a resourceVersion, bookmarks, and 410 Gone once compacted', async () => {
    const list = await http('GET', routes);
    const from = list.body.metadata.resourceVersion;
    await http('POST', routes, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'w' },
      spec: {},
    });
    const ac = new AbortController();
    const res = await fetch(`${api.url}${routes}?watch=true&resourceVersion=${from}&allowWatchBookmarks=true`, {
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    const first = JSON.parse(new TextDecoder().decode((await reader.read()).value!).split('\n')[0]!);
    expect(first).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'w' } } });
    api.bookmark();
    const bookmark = JSON.parse(new TextDecoder().decode((await reader.read()).value!).split('\n')[0]!);
    expect(bookmark).toMatchObject({
      type: 'BOOKMARK',
      object: { kind: 'HTTPRoute', metadata: { resourceVersion: String(api.store.rv) } },
    });
    ac.abort();
    api.compact();
    await http('DELETE', `${routes}/w`);
    const gone = await fetch(`${api.url}${routes}?watch=true&resourceVersion=${from}`);
    const text = await gone.text();
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
  });

  it('validates custom resources against the CRD schema: 422 for invalid values, unknown fields pruned or (Strict) refused', async () => {
    const route = (spec: unknown) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'v' },
      spec,
    });
    const bad = await http('POST', routes, route({ rules: [{ matches: [{ path: { type: 'Fuzzy', value: '/' } }] }] }));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/spec\.rules\[0\]\.matches\[0\]\.path\.type: Unsupported value: "Fuzzy"/);
    const strict = await http(
      'POST',
      `${routes}?fieldValidation=Strict`,
      route({ hostnames: ['a.example.com'], colour: 'blue' }),
    );
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.colour"');
    const pruned = await http('POST', routes, route({ hostnames: ['a.example.com'], colour: 'blue' }));
    expect(pruned.status).toBe(201);
    expect(pruned.body.spec).toEqual({
      hostnames: ['a.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
    });
    // kubectl sends fieldValidation=Strict and surfaces the server's answer.
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: typo}\nspec: {hostname: [a.example.com]}\n',
    );
    await expect(kubectl('apply', '-f', file)).rejects.toThrow(/unknown field "spec.hostname"/);
  });

  it('rejects Lease times without six fractional digits, as a real API server does', async () => {
    const leases = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
    const bad = await http('POST', leases, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l' },
      spec: { holderIdentity: 'a', renewTime: new Date().toISOString() },
    });
    expect(bad.status).toBe(400);
    const good = await http('POST', leases, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l' },
      spec: { holderIdentity: 'a', renewTime: '2026-01-01T00:00:00.123456Z' },
    });
    expect(good.status).toBe(201);
  });
});
