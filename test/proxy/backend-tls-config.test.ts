// The config contract for TLS to backends: CA bundles are content-addressed (the id must be the SHA-256 of
// the PEM, so a compiled rule naming one can be reused safely) and every `tls.ca` must name a bundle of the
// same config — checked by the schema, by both preparers (HTTP bodies and in-process pushes), and kept whole
// through a worker delta.
import { describe, expect, it } from '@jest/globals';
import { ConfigPreparer, validateConfig, type PreparedConfig } from '../../proxy/config/prepared.js';
import { caCertificateId, type ProxyConfigInput } from '../../proxy/config/schema.js';
import { applyDelta, diffConfig } from '../../proxy/cluster/delta.js';
import { rows } from '../support/each.js';
import { createTestCa } from '../support/test-ca.js';

const pem = createTestCa().cert;
const id = caCertificateId(pem);

function config(tlsCa: string, cas: Array<{ id: string; pem: string }>): ProxyConfigInput {
  return {
    version: 'v1',
    rules: [
      {
        id: 'httproute/default/r/0',
        kind: 'http',
        backends: [
          {
            name: 'default/s:443',
            weight: 1,
            endpoints: [{ address: '10.0.0.1', port: 8443 }],
            tls: { serverName: 'abc.example.com', ca: tlsCa },
          },
        ],
      },
    ],
    hosts: [{ hostname: 'a.example.com', matches: [{ match: {}, rule: 0 }] }],
    caCertificates: cas,
  };
}

const MISSING = `sha256:${'0'.repeat(64)}`;

describe('CA bundles in the proxy config', () => {
  it.each(
    rows<[string, ProxyConfigInput, string | undefined]>([
      ['a bundle named by its hash', config(id, [{ id, pem }]), undefined],
      ['the default trust store', config('system', []), undefined],
      ['a name no bundle has', config(MISSING, [{ id, pem }]), 'rules.0.backends.0.tls.ca'],
      ['a bundle whose id is not its hash', config(MISSING, [{ id: MISSING, pem }]), 'caCertificates.0.id'],
      ['not an id at all', config('my-ca', []), 'rules.0.backends.0.tls.ca'],
    ]),
  )('%s', (_name, cfg, badPath) => {
    const outcomes = [
      validateConfig(cfg),
      new ConfigPreparer('text').prepare(cfg),
      new ConfigPreparer('identity').prepare(cfg),
    ];
    for (const outcome of outcomes) {
      if (badPath === undefined) expect(outcome.ok).toBe(true);
      else expect(outcome).toMatchObject({ ok: false, status: 400, error: expect.stringContaining(badPath) });
    }
  });

  it('checks a remembered rule again against the bundles of each new config', () => {
    const preparer = new ConfigPreparer('identity');
    const cfg = config(id, [{ id, pem }]);
    expect(preparer.prepare(cfg).ok).toBe(true);
    // The same rule object, now without its bundle: refused although the rule itself was checked before.
    const without = { ...cfg, version: 'v2', caCertificates: [] };
    expect(preparer.prepare(without)).toMatchObject({ ok: false, error: expect.stringContaining('tls.ca') });
  });

  it('survives a worker delta', () => {
    const first = new ConfigPreparer('text').prepare(config('system', []));
    const second = new ConfigPreparer('text').prepare({ ...config(id, [{ id, pem }]), version: 'v2' });
    if (!first.ok || !second.ok) throw new Error('refused');
    const delta = diffConfig(first.prepared, second.prepared);
    const rebuilt: PreparedConfig = applyDelta(first.prepared, delta);
    expect(rebuilt).toEqual(second.prepared);
    expect(rebuilt.caCertificates).toEqual([JSON.stringify({ id, pem })]);
  });
});
