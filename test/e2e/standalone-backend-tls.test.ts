// `tunnel-gateway standalone` with a BackendTLSPolicy and its CA ConfigMap as files, against a real TLS backend
// whose certificate a CA made here signed: requests reach it over verified TLS with the policy's SNI name, the
// policy's status is served at /status, and editing the ConfigMap is picked up — another CA makes the
// handshake fail (502, logged), no ca.crt makes the policy unusable (500, NoValidCACertificate).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStandalone, type CliProcess } from '../support/cli.js';
import { eventually, httpRequest } from '../support/http.js';
import { gatewayYaml, routeYaml } from '../support/manifests.js';
import { createTestCa } from '../support/test-ca.js';
import { startTlsBackend, type TlsBackend } from '../support/tls-backend.js';

const ca = createTestCa('backend CA');
const otherCa = createTestCa('another CA');

function serviceAndPolicy(port: number): string {
  return `apiVersion: v1
kind: Service
metadata: { name: secure, namespace: default }
spec: { ports: [{ name: https, port: 80, appProtocol: https }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: secure-1, namespace: default, labels: { kubernetes.io/service-name: secure } }
addressType: IPv4
ports: [{ name: https, port: ${port} }]
endpoints: [{ addresses: ["127.0.0.1"] }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: secure, namespace: default }
spec:
  targetRefs: [{ group: "", kind: Service, name: secure, sectionName: https }]
  validation:
    hostname: secure.example.com
    caCertificateRefs: [{ group: "", kind: ConfigMap, name: secure-ca }]
`;
}

/** The CA ConfigMap, holding `pem` under ca.crt (or no ca.crt at all). */
function configMap(pem: string | undefined): string {
  const data = pem === undefined ? '{}' : `\n  ca.crt: |\n${pem.replace(/\r/g, '').trim().replace(/^/gm, '    ')}`;
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: secure-ca, namespace: default }\ndata: ${data}\n`;
}

describe('standalone with a BackendTLSPolicy', () => {
  let dir: string;
  let backend: TlsBackend;
  let app: CliProcess;
  let port: number;
  let admin: number;

  beforeAll(async () => {
    backend = await startTlsBackend('secure', ca.issue({ dns: ['secure.example.com'] }));
    dir = await mkdtemp(join(tmpdir(), 'tgw-btls-'));
    await writeFile(join(dir, 'gateway.yaml'), `${gatewayYaml}---\n${routeYaml('secure', 'secure.test', 'secure')}`);
    await writeFile(join(dir, 'backend.yaml'), serviceAndPolicy(backend.port));
    await writeFile(join(dir, 'ca.yaml'), configMap(ca.cert));
    ({ app, port, admin } = await runStandalone(dir));
    await eventually(async () => (await httpRequest(admin, { path: '/readyz' })).status === 200);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await backend?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const get = () => httpRequest(port, { host: 'secure.test', path: '/hello' });
  const policyStatus = async () => {
    const body = (await httpRequest(admin, { path: '/status' })).json() as {
      statuses: Array<{ kind: string; name: string; status: { ancestors: Array<{ conditions: Array<object> }> } }>;
    };
    return body.statuses.find((s) => s.kind === 'BackendTLSPolicy')?.status.ancestors[0]?.conditions;
  };

  it('forwards over verified TLS with the policy hostname as SNI, and reports the policy', async () => {
    const reply = await get();
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ backend: 'secure', sni: 'secure.example.com', path: '/hello' });
    expect(await policyStatus()).toEqual([
      expect.objectContaining({ type: 'Accepted', status: 'True', reason: 'Accepted' }),
      expect.objectContaining({ type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' }),
    ]);
  });

  it('answers 502 once the ConfigMap holds another CA, and logs why', async () => {
    await writeFile(join(dir, 'ca.yaml'), configMap(otherCa.cert));
    await eventually(async () => (await get()).status === 502);
    const line = await app.waitForLog((l) => String(l.msg).startsWith('backend TLS failed'));
    expect(line).toMatchObject({ backend: 'default/secure:80', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('answers 500 and reports NoValidCACertificate once the ConfigMap has no ca.crt; recovers with it', async () => {
    await writeFile(join(dir, 'ca.yaml'), configMap(undefined));
    await eventually(async () => (await get()).status === 500);
    await eventually(async () => JSON.stringify(await policyStatus()).includes('NoValidCACertificate'));
    await writeFile(join(dir, 'ca.yaml'), configMap(ca.cert));
    await eventually(async () => (await get()).status === 200);
    expect(JSON.stringify(app.logs)).not.toContain('PRIVATE KEY');
  });
});
