// The REST client re-applies the kubeconfig's credentials (client-node's token-file/exec/in-cluster
// authenticators refresh theirs), so a rotated token is picked up without a restart. Errors carry the reason.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { KubeApiError, KubeRest } from '../../src/kubernetes/rest.js';
import { waitFor } from './support.js';

let api: FakeApiServer;

beforeAll(async () => {
  api = await startFakeApiServer({ token: 'first' });
});

afterAll(async () => {
  await api.stop();
});

describe('KubeRest', () => {
  it('picks up rotated credentials', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'first' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const rest = await KubeRest.fromKubeConfig(kc, { credentialsTtlMs: 100 });
    try {
      expect((await rest.get<{ metadata: { name: string } }>('/api/v1/namespaces/default')).metadata.name).toBe(
        'default',
      );
      api.token = 'second';
      const denied = await rest.get('/api/v1/namespaces/default').catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(KubeApiError);
      expect(denied).toMatchObject({ status: 401, reason: 'Unauthorized' });
      (kc.getCurrentUser() as { token?: string }).token = 'second'; // what an authenticator's refresh does
      await waitFor(
        async () =>
          (await rest.get<{ metadata: { name: string } }>('/api/v1/namespaces/default')).metadata.name === 'default',
        'the new token',
      );
    } finally {
      await rest.close();
    }
  });
});
