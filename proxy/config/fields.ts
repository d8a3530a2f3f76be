// Field schemas the config contract (schema.ts) and the filter kinds' schema pieces (proxy/filters/*.ts) both
// use. They live apart from schema.ts because schema.ts assembles the filter union from those pieces: a
// piece importing schema.ts would be an import cycle.
import { z } from 'zod';

/** Documented limits: a config past them is refused with 400 (and the translator never produces one). */
export const CONFIG_LIMITS = {
  hosts: 200_000,
  rules: 100_000,
  matchesPerHost: 200_000,
  stringLength: 4_096,
  headerValueLength: 16_384,
  endpointsPerBackend: 10_000,
  caCertificates: 4_096,
  gateways: 4_096,
  /** One CA bundle (PEM, possibly several certificates). */
  caBundleLength: 262_144,
} as const;

export const str = z.string().max(CONFIG_LIMITS.stringLength);
export const headerName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/);
export const headerValue = z.string().max(CONFIG_LIMITS.headerValueLength);

export const Port = z.number().int().min(1).max(65535);
export const Endpoint = z.object({ address: z.string().min(1).max(253), port: Port });

/** "sha256:<hex>" of a CA bundle's PEM text: content-addressed, so a rule naming one never goes stale. */
export const CA_ID = /^sha256:[0-9a-f]{64}$/;

/** What the backend's certificate must carry when the policy lists subject alternative names. */
export const SubjectAltName = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Hostname'), hostname: z.string().min(1).max(253) }),
  z.object({ type: z.literal('URI'), uri: z.string().min(1).max(CONFIG_LIMITS.stringLength) }),
]);

/**
 * TLS to the backend (a BackendTLSPolicy): `serverName` is the SNI and, when `subjectAltNames` is empty, the
 * name the certificate must match; with subjectAltNames, one of them must match instead. `ca` is the id of a
 * `caCertificates` entry, or "system" for the proxy's default trust store. Verification is never skipped.
 */
export const BackendTls = z.object({
  serverName: z.string().min(1).max(253),
  ca: z.union([z.literal('system'), z.string().regex(CA_ID)]),
  subjectAltNames: z.array(SubjectAltName).max(5).default([]),
});
