// Whether a Secret holds a usable TLS key pair: a PEM certificate (the first of a chain) and a PEM private key
// that belongs to it. Pure computation (node:crypto parses, no I/O), so the translator can call it; the
// Kubernetes source calls it before it drops a Secret's values (the controller never keeps key material).
import { createPrivateKey, X509Certificate } from 'node:crypto';

export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';

/** A Secret as read: values in `data` (base64) or `stringData` (text). */
type SecretLike = object;

/** Undefined when the pair is usable, else why not (a message for the listener's condition). */
export function tlsKeyPairProblem(secret: SecretLike): string | undefined {
  const cert = secretValue(secret, TLS_CERT_KEY);
  const key = secretValue(secret, TLS_KEY_KEY);
  if (cert === undefined || key === undefined) return `has no ${TLS_CERT_KEY} and ${TLS_KEY_KEY}`;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return `${TLS_CERT_KEY} is not a PEM certificate`;
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) return `${TLS_KEY_KEY} is not the private key of ${TLS_CERT_KEY}`;
  } catch {
    return `${TLS_KEY_KEY} is not a PEM private key`;
  }
  return undefined;
}

/** A key's value as text: `stringData` as written, `data` base64-decoded (as the API server stores it). */
function secretValue(secret: SecretLike, key: string): string | undefined {
  const { data, stringData } = secret as { data?: unknown; stringData?: unknown };
  const plain = record(stringData)[key];
  if (typeof plain === 'string') return plain;
  const encoded = record(data)[key];
  return typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/**
 * Set by the Kubernetes source on the copy of a TLS Secret it keeps without values: `valid` or the problem.
 * Whatever the object carried under this name is overwritten there.
 */
export const TLS_KEYPAIR_ANNOTATION = 'cloudflare-tunnel-gateway.dev/tls-keypair';
export const TLS_KEYPAIR_VALID = 'valid';
