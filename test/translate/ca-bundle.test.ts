// A BackendTLSPolicy's CA bundle (src/translate/ca-bundle.ts): every certificate of the ConfigMap's ca.crt
// that parses, in canonical PEM; a block that does not parse is left out; none at all says why.
import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import type { K8sObject } from '../../src/core/types.js';
import { caBundleOf } from '../../src/translate/ca-bundle.js';
import { createTestCa } from '../support/test-ca.js';

const configMap = (data?: Record<string, unknown>): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'ca', namespace: 'app' },
  ...(data && { data }),
});
const BROKEN = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';

describe('caBundleOf', () => {
  const ca = createTestCa();
  const canonical = new X509Certificate(ca.cert).toString();

  it('keeps each certificate that parses, in canonical PEM, whatever surrounds it', () => {
    const other = createTestCa('Other CA');
    const text = `# our CAs\n${ca.cert}\n\n${BROKEN}${other.cert.replace(/\n/g, '\r\n')}`;
    expect(caBundleOf(configMap({ 'ca.crt': text }))).toEqual({
      certs: [canonical, new X509Certificate(other.cert).toString()],
    });
  });

  it.each([
    ['no ca.crt', configMap({ 'tls.crt': ca.cert }), 'has no ca.crt'],
    ['no data at all', configMap(), 'has no ca.crt'],
    ['a ca.crt that is not text', configMap({ 'ca.crt': 42 }), 'has no ca.crt'],
    ['text without a certificate', configMap({ 'ca.crt': 'just text' }), 'ca.crt holds no PEM certificate'],
    ['only a block that does not parse', configMap({ 'ca.crt': BROKEN }), 'ca.crt holds no PEM certificate'],
  ])('says why a ConfigMap with %s has none', (_what, cm, problem) => {
    expect(caBundleOf(cm)).toEqual({ problem });
  });
});
