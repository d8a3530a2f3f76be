// The proxy admin token lives in a Secret that the proxy pods mount as a file and the controller reads
// through the API. With `generate`, a missing Secret is created with a random token (two controllers racing
// to create it both end up with the winner's token: AlreadyExists → read again).
import { randomBytes } from 'node:crypto';
import { KubeRest, isConflict, isNotFound } from './rest.js';

export const ADMIN_TOKEN_KEY = 'token';

export interface AdminTokenOptions {
  rest: KubeRest;
  namespace: string;
  secretName: string;
  generate?: boolean;
  key?: string;
}

export async function resolveAdminToken(o: AdminTokenOptions): Promise<string> {
  const key = o.key ?? ADMIN_TOKEN_KEY;
  const path = `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/secrets`;
  const read = async () => {
    const secret = await o.rest.get(`${path}/${encodeURIComponent(o.secretName)}`);
    const value = (secret.data as Record<string, string> | undefined)?.[key];
    if (!value) throw new Error(`Secret ${o.namespace}/${o.secretName} has no "${key}" key`);
    return Buffer.from(value, 'base64').toString('utf8').trim();
  };
  try {
    return await read();
  } catch (err) {
    if (!isNotFound(err) || !o.generate) throw err;
  }
  const token = randomBytes(32).toString('hex');
  try {
    await o.rest.create(path, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: o.secretName,
        namespace: o.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'tunnel-gateway' },
      },
      data: { [key]: Buffer.from(token).toString('base64') },
    });
    return token;
  } catch (err) {
    if (isConflict(err)) return read();
    throw err;
  }
}
