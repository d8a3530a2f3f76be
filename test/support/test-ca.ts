// Certificate authorities made in the test: a self-signed CA (basicConstraints cA) and server certificates it
// signs, with the DNS and URI subject alternative names a case needs. Keys come from node:crypto (native, fast);
// node-forge (the engine selfsigned uses, already installed with it) builds and signs the X.509 structures,
// which node:crypto cannot do. SHA-256 signatures, 2048-bit RSA: what OpenSSL's defaults accept.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TestCa {
  /** The CA certificate (PEM): what a BackendTLSPolicy's ConfigMap holds under ca.crt. */
  cert: string;
  /** A server certificate signed by this CA. */
  issue(opts: { commonName?: string; dns?: string[]; uris?: string[]; days?: number }): ServerPems;
}

export interface ServerPems {
  cert: string;
  key: string;
}

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem };
}

/**
 * A positive, minimally encoded DER serial from random bytes: the first byte 0x01–0x7f (high bit clear, not
 * zero). A zero first byte is what went wrong before: forge wrote it as a redundant leading zero, which
 * OpenSSL rejects ("illegal padding") — about one certificate in 250.
 */
export function serialNumberHex(random: Buffer): string {
  const bytes = Buffer.from(random);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString('hex');
}

function baseCertificate(publicKey: forge.pki.PublicKey, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumberHex(randomBytes(16));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  return cert;
}

export function createTestCa(name = 'Test CA'): TestCa {
  const ca = keyPair();
  const caCert = baseCertificate(ca.publicKey, 2);
  const subject = [{ name: 'commonName', value: name }];
  caCert.setSubject(subject);
  caCert.setIssuer(subject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());
  return {
    cert: forge.pki.certificateToPem(caCert),
    issue({ commonName, dns = [], uris = [], days = 1 }) {
      const leaf = keyPair();
      const cert = baseCertificate(leaf.publicKey, days);
      cert.setSubject([{ name: 'commonName', value: commonName ?? dns[0] ?? 'server' }]);
      cert.setIssuer(subject);
      cert.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [...dns.map((value) => ({ type: 2, value })), ...uris.map((value) => ({ type: 6, value }))],
        },
        { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
      ]);
      cert.sign(ca.privateKey, forge.md.sha256.create());
      return { cert: forge.pki.certificateToPem(cert), key: leaf.pem };
    },
  };
}
