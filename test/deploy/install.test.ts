// deploy/install.yaml, the one-file install: it is exactly `kubectl kustomize` of the default overlay (so it
// can never drift from the overlays the other deploy tests check), and kubectl accepts it in a client-side
// dry run. Client dry run still needs discovery (kind → resource mapping) and a GET per object to choose
// create or patch, so kubectl talks to the API server double, which serves the kinds of a real cluster.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { writeKubeconfig } from '../support/fake-apiserver/kubeconfig.js';
import type { ResourceType } from '../support/fake-apiserver/resources.js';
import { INSTALL_PATH, readInstall, renderInstall } from './support/install.js';
import type { K8s } from './support/render.js';

/** Built-in kinds the install uses that the double does not serve by default, at their real group/version:
 * an object at a wrong or removed apiVersion (policy/v1beta1, say) finds no mapping and fails the dry run. */
const CLUSTER_KINDS: ResourceType[] = [
  kind('', 'serviceaccounts', 'ServiceAccount', true),
  kind('apps', 'deployments', 'Deployment', true),
  kind('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false),
  kind('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false),
  kind('rbac.authorization.k8s.io', 'roles', 'Role', true),
  kind('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', true),
  kind('networking.k8s.io', 'networkpolicies', 'NetworkPolicy', true),
  kind('policy', 'poddisruptionbudgets', 'PodDisruptionBudget', true),
];

function kind(group: string, plural: string, k: string, namespaced: boolean): ResourceType {
  return {
    group,
    versions: ['v1'],
    plural,
    singular: k.toLowerCase(),
    kind: k,
    namespaced,
    hasStatus: false,
    hasGeneration: true,
  };
}

const objectsOf = (yaml: string): K8s[] => parseAllDocuments(yaml).map((d) => d.toJS() as K8s);

describe('deploy/install.yaml', () => {
  it('is the default overlay as `kubectl kustomize` renders it (regenerate with `npm run render:install`)', () => {
    const fresh = renderInstall();
    if (readInstall() !== fresh) {
      throw new Error(
        `${INSTALL_PATH} differs from a fresh render of deploy/kustomize/overlays/default: run \`npm run render:install\` (node bin/run-ts.mjs test/deploy/support/install.ts --write) and commit the result`,
      );
    }
    const objects = objectsOf(readInstall());
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['Namespace', 'GatewayClass', 'Deployment', 'NetworkPolicy']),
    );
    // The CRDs are a prerequisite, installed on their own (docs/install.md), never bundled here.
    expect(objects.filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  describe('kubectl apply --dry-run=client', () => {
    let server: FakeApiServer;
    let kubeconfig: string;

    beforeAll(async () => {
      server = await startFakeApiServer();
      server.types.push(...CLUSTER_KINDS);
      kubeconfig = writeKubeconfig(server.url);
    });
    afterAll(() => server?.stop());

    it('accepts every object and sends the cluster nothing but reads', async () => {
      const { code, stdout, stderr } = await kubectl(['apply', '--dry-run=client', '-f', INSTALL_PATH], kubeconfig);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const expected = objectsOf(readInstall()).map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}`);
      const applied = stdout
        .trim()
        .split('\n')
        .map((line) => {
          const match = /^(\S+)\/(\S+) created \(dry run\)$/.exec(line);
          if (!match) throw new Error(`unexpected kubectl output: ${line}`);
          return `${match[1]!.split('.')[0]}/${match[2]}`;
        });
      expect(applied.sort()).toEqual(expected.sort());
      expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    });
  });
});

function kubectl(args: string[], kubeconfig: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
