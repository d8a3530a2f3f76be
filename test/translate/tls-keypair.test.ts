// The certificate check behind InvalidCertificateRef: real PEM pairs made here (selfsigned), checked from
// `data` (base64) and `stringData`, and through the Kubernetes source's redaction, which keeps only the verdict.
import { describe, expect, it } from '@jest/globals';
import selfsigned from 'selfsigned';
import { TLS_KEYPAIR_ANNOTATION, tlsKeyPairProblem } from '../../src/core/tls-keypair.js';
import { redactSecret } from '../../src/kubernetes/resource-watch.js';
import { rows } from '../support/each.js';

const pair = selfsigned.generate([{ name: 'commonName', value: 'a.example.com' }], { days: 1, keySize: 2048 });
const other = selfsigned.generate([{ name: 'commonName', value: 'b.example.com' }], { days: 1, keySize: 2048 });
const b64 = (text: string) => Buffer.from(text).toString('base64');
const secret = (data: Record<string, string>, field: 'data' | 'stringData' = 'data') => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'ns' },
  [field]: data,
});

describe('tlsKeyPairProblem', () => {
  it.each(
    rows<[string, object, string | undefined]>([
      ['a matching pair in data', secret({ 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.private) }), undefined],
      [
        'a matching pair in stringData',
        secret({ 'tls.crt': pair.cert, 'tls.key': pair.private }, 'stringData'),
        undefined,
      ],
      [
        'a chain: the leaf first',
        secret({ 'tls.crt': b64(pair.cert + other.cert), 'tls.key': b64(pair.private) }),
        undefined,
      ],
      ['no key', secret({ 'tls.crt': b64(pair.cert) }), 'has no tls.crt and tls.key'],
      ['no values at all', { metadata: {} }, 'has no tls.crt and tls.key'],
      [
        '"Hello world" (the conformance test)',
        secret({ 'tls.crt': 'SGVsbG8gd29ybGQK', 'tls.key': 'SGVsbG8gd29ybGQK' }),
        'tls.crt is not a PEM certificate',
      ],
      [
        'a certificate where the key belongs',
        secret({ 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.cert) }),
        'tls.key is not a PEM private key',
      ],
      [
        'the key of another certificate',
        secret({ 'tls.crt': b64(pair.cert), 'tls.key': b64(other.private) }),
        'tls.key is not the private key of tls.crt',
      ],
    ]),
  )('%s', (_name, s, problem) => {
    expect(tlsKeyPairProblem(s)).toBe(problem);
  });
});

describe('redactSecret', () => {
  it('drops the values and keeps whether they were a usable pair', () => {
    const good = redactSecret(secret({ 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.private) }) as never);
    expect(good.data).toEqual({ 'tls.crt': '', 'tls.key': '' });
    expect(good.metadata.annotations).toEqual({ [TLS_KEYPAIR_ANNOTATION]: 'valid' });
    const bad = redactSecret(secret({ 'tls.crt': b64(pair.cert), 'tls.key': b64(other.private) }) as never);
    expect(bad.metadata.annotations?.[TLS_KEYPAIR_ANNOTATION]).toBe('tls.key is not the private key of tls.crt');
  });

  it('overwrites a verdict the object claimed for itself', () => {
    const claimed = {
      ...secret({ 'tls.crt': 'eA==', 'tls.key': 'eA==' }),
      metadata: { name: 's', annotations: { [TLS_KEYPAIR_ANNOTATION]: 'valid' } },
    };
    expect(redactSecret(claimed as never).metadata.annotations?.[TLS_KEYPAIR_ANNOTATION]).toBe(
      'tls.crt is not a PEM certificate',
    );
  });
});
