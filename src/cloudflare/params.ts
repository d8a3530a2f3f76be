// Pure: the GatewayClass parametersRef ConfigMap → edge parameters, or one message saying what is wrong.
// Keys are documented in docs/cloudflare.md.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export interface SecretKeyRef {
  name: string;
  /** Absent: the controller's own namespace. */
  namespace?: string;
  key: string;
}

export interface EdgeParameters {
  accountId: string;
  /** A tunnel UUID, or 'create' (find-or-create by tunnelName). */
  tunnelId: string;
  tunnelName?: string;
  zoneHints: string[];
  /** The Secret holding the Cloudflare API token (a token never lives in a ConfigMap). */
  tokenSecretRef: SecretKeyRef;
  ownTunnel: boolean;
}

export const DEFAULT_TOKEN_SECRET_KEY = 'apiToken';

const dnsName = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const k8sName = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

const schema = z
  .object({
    accountId: z.string().regex(/^[0-9a-f]{32}$/i, 'accountId must be the 32-character hex Cloudflare account id'),
    tunnelId: z
      .union([
        z.literal('create'),
        z
          .string()
          .regex(
            /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
            'tunnelId must be a tunnel UUID or "create"',
          ),
      ])
      .default('create'),
    tunnelName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,53}$/, 'tunnelName: letters, digits, ".", "_", "-", at most 54 characters')
      .optional(),
    zoneHints: z.array(z.string().regex(dnsName, 'zoneHints must be domain names')).default([]),
    tokenSecretRef: z.object(
      {
        name: z.string().regex(k8sName, 'tokenSecretRef.name must be a Secret name'),
        namespace: z.string().regex(k8sName, 'tokenSecretRef.namespace must be a namespace name').optional(),
        key: z.string().min(1).default(DEFAULT_TOKEN_SECRET_KEY),
      },
      { error: 'tokenSecretRef.name is required (the Secret holding the Cloudflare API token)' },
    ),
    ownTunnel: z.boolean().default(false),
  })
  .strict();

export type ValidationResult = { ok: true; params: EdgeParameters } | { ok: false; message: string };

export function validateEdgeParameters(data: Record<string, string> | undefined | null): ValidationResult {
  if (!data) return { ok: false, message: 'parameters ConfigMap has no data' };
  let input: Record<string, unknown>;
  try {
    input = toInput(data);
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    const unknown = issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : undefined;
    return {
      ok: false,
      message: unknown ?? (where && !issue.message.startsWith(where) ? `${where}: ${issue.message}` : issue.message),
    };
  }
  const p = parsed.data;
  return {
    ok: true,
    params: { ...p, zoneHints: p.zoneHints.map((z) => z.toLowerCase()), tokenSecretRef: { ...p.tokenSecretRef } },
  };
}

/** ConfigMap values are strings: lists split on commas/whitespace, booleans spelled true/false, refs as keys or YAML. */
function toInput(data: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const ref: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(data)) {
    const value = raw.trim();
    if (key === 'zoneHints') out.zoneHints = value.split(/[\s,]+/).filter(Boolean);
    else if (key === 'ownTunnel') out.ownTunnel = parseBool(key, value);
    // The proxies' switch, read by the translator (src/translate/parameters.ts): checked here, not the edge's.
    else if (key === 'accessLog') parseBool(key, value);
    else if (key === 'tokenSecretRef') Object.assign(ref, parseRef(value));
    else if (key.startsWith('tokenSecretRef.')) ref[key.slice('tokenSecretRef.'.length)] = value;
    else out[key] = value;
  }
  if (Object.keys(ref).length > 0) out.tokenSecretRef = ref;
  return out;
}

function parseBool(key: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`${key} must be "true" or "false", not "${value}"`);
}

function parseRef(value: string): Record<string, unknown> {
  const parsed: unknown = parseYaml(value);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('tokenSecretRef must be a mapping with name, namespace, key');
  }
  return parsed as Record<string, unknown>;
}
