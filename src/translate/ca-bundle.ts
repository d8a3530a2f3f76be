// CA certificates from a ConfigMap's `ca.crt` (BackendTLSPolicy caCertificateRefs): every PEM certificate in it
// is parsed (node:crypto, pure computation) and written back in canonical PEM, so the proxy config carries only
// certificates that parse and one bundle text whatever the source's whitespace or comments. Remembered per
// ConfigMap object: a sync re-reads hundreds of them, parsing each certificate once is enough.
import { X509Certificate } from 'node:crypto';
import type { K8sObject } from '../core/types.js';
import { CA_CERTIFICATE_KEY as CA_KEY } from '../gatewayapi/constants.js';
import { record } from '../gatewayapi/values.js';

export type CaBundle = { certs: string[] } | { problem: string };

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
const parsed = new WeakMap<K8sObject, CaBundle>();

/** The certificates of a ConfigMap's ca.crt (canonical PEM each), or why there are none. */
export function caBundleOf(configMap: K8sObject): CaBundle {
  let bundle = parsed.get(configMap);
  if (bundle === undefined) {
    bundle = parseBundle(record(configMap.data)[CA_KEY]);
    parsed.set(configMap, bundle);
  }
  return bundle;
}

function parseBundle(text: unknown): CaBundle {
  if (typeof text !== 'string') return { problem: `has no ${CA_KEY}` };
  const certs: string[] = [];
  for (const block of text.match(PEM_CERTIFICATE) ?? []) {
    try {
      certs.push(new X509Certificate(block).toString());
    } catch {
      // A block that does not parse is left out; the bundle is usable if another one does.
    }
  }
  return certs.length ? { certs } : { problem: `${CA_KEY} holds no PEM certificate` };
}
