// The controller rehearses the translator's per-change paths once its control plane first rests
// (src/runtime/rehearsal.ts), as standalone does: the real CLI against the API server double, holding enough
// routes for a rehearsal, logs at debug that it rehearsed. Without `rehearse: true` in the controller's
// control plane the line never comes.
import { afterAll, describe, expect, it } from '@jest/globals';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { writeKubeconfig } from '../support/fake-apiserver/kubeconfig.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { REHEARSAL_MIN_ROUTES } from '../../src/runtime/rehearsal.js';
import { gateway, gatewayClass, httpRoute } from './support.js';

let api: FakeApiServer | undefined;
let controller: CliProcess | undefined;

afterAll(async () => {
  await controller?.stop();
  await api?.stop();
});

describe('the controller after its first sync', () => {
  it('rehearses the per-change paths on its own snapshot (debug log)', async () => {
    api = await startFakeApiServer({ namespaces: ['default', 'tunnel-gateway'] });
    api.seed(gatewayClass('cloudflare'));
    api.seed(gateway('default', 'gw', 'cloudflare'));
    for (let i = 0; i < REHEARSAL_MIN_ROUTES; i++) api.seed(httpRoute('default', `r-${i}`, 'gw'));
    controller = runCli(['controller', '--kubeconfig', writeKubeconfig(api.url), '--namespace', 'tunnel-gateway'], {
      LOG_LEVEL: 'debug',
    });
    const line = await controller.waitForLog((l) => l.msg === 'rehearsed the per-change paths', 60_000);
    expect(line).toMatchObject({ translations: 4 });
  }, 90_000);
});
