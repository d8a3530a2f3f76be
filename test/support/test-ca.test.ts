// The test CA's certificates must parse in OpenSSL for every random serial: a serial whose first byte is zero
// was encoded with a redundant leading zero (DER "illegal padding") and failed a CI run about once in 250 certs.
import { X509Certificate } from 'node:crypto';
import { createTestCa, serialNumberHex } from './test-ca.js';

describe('test CA serial numbers', () => {
  it.each([
    ['a zero first byte', '00'],
    ['two zero bytes', '0000'],
    ['a high first byte', 'ff'],
    ['a small first byte', '01'],
    ['0x80 first byte', '80'],
  ])('give a DER-valid positive serial from random bytes starting with %s', (_name, head) => {
    const random = Buffer.concat([Buffer.from(head, 'hex'), Buffer.alloc(16 - head.length / 2, 0x42)]);
    const hex = serialNumberHex(random);
    // DER INTEGER: a first byte of 0x01–0x7f is positive and minimal (no redundant leading zero).
    expect(hex).toMatch(/^(0[1-9a-f]|[1-7][0-9a-f])[0-9a-f]{30}$/);
  });

  it('issues certificates node:crypto parses, CA and leaf', () => {
    const ca = createTestCa();
    const leaf = ca.issue({ dns: ['a.example.com'] });
    expect(new X509Certificate(ca.cert).ca).toBe(true);
    expect(new X509Certificate(leaf.cert).checkIssued(new X509Certificate(ca.cert))).toBe(true);
  });
});
