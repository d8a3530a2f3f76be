// `tunnel-gateway render` as a user runs it: JSON contract on stdout, exit 2 with file:line on bad input.
import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliToEnd } from '../support/cli.js';
import { ProxyConfig } from '../../proxy/config/schema.js';

const EXAMPLES = fileURLToPath(new URL('../../deploy/examples', import.meta.url));

describe('render', () => {
  it('prints statuses, a valid PUT /config body, the ingress document and DNS for the examples', async () => {
    const { code, stdout, stderr } = await runCliToEnd(['render', '--manifests', EXAMPLES, '--tunnel-id', 't-123']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(Object.keys(out).sort()).toEqual(['dns', 'ingress', 'proxyConfig', 'statuses']);
    const byKey = new Map(
      out.statuses.map((s: { kind: string; namespace: string; name: string }) => [
        `${s.kind}/${s.namespace}/${s.name}`,
        s,
      ]),
    );
    const accepted = (s: any) => s.status.conditions.find((c: any) => c.type === 'Accepted').status; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(accepted(byKey.get('GatewayClass//cloudflare-tunnel'))).toBe('True');
    expect(accepted(byKey.get('Gateway/demo/cloudflare-tunnel'))).toBe('True');
    const route: any = byKey.get('HTTPRoute/demo/app'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(route.status.parents[0].conditions.find((c: any) => c.type === 'Accepted').status).toBe('True'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(() => ProxyConfig.parse(out.proxyConfig)).not.toThrow();
    expect(out.ingress.ingress.at(-1)).toEqual({ service: 'http_status:404' });
    expect(out.ingress.ingress.map((r: { hostname?: string }) => r.hostname).filter(Boolean)).toEqual([
      'app.example.com',
      'www.example.com',
    ]);
    expect(out.dns.map((r: { name: string; content: string }) => `${r.name}>${r.content}`)).toEqual([
      'app.example.com>t-123.cfargotunnel.com',
      'www.example.com>t-123.cfargotunnel.com',
    ]);
  });

  it('exits 2 naming the file and line of a malformed manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tgw-render-'));
    await writeFile(join(dir, 'ok.yaml'), 'kind: Namespace\nmetadata: {name: a}\n');
    await writeFile(join(dir, 'bad.yaml'), 'kind: Namespace\nmetadata: {name: b}\n---\nkind: Service\nmetadata: [x\n');
    const { code, stdout, stderr } = await runCliToEnd(['render', '--manifests', dir]);
    await rm(dir, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/bad\.yaml:5: /);
  });

  it('forwards to ExternalName Services only with --external-name-services (or EXTERNAL_NAME_SERVICES=true)', async () => {
    const manifests = fileURLToPath(new URL('../golden/testdata/route-external-name-enabled.in.yaml', import.meta.url));
    const partner = async (args: string[], env: Record<string, string> = {}) => {
      const { code, stdout } = await runCliToEnd(['render', '--manifests', manifests, ...args], env);
      expect(code).toBe(0);
      const config = JSON.parse(stdout).proxyConfig as {
        rules: Array<{ backends: Array<{ name: string; status?: number; endpoints?: unknown[] }> }>;
      };
      return config.rules.flatMap((r) => r.backends).find((b) => b.name === 'app/partner:8080');
    };
    expect(await partner([])).toMatchObject({ status: 500 });
    const expected = { endpoints: [{ address: 'api.partner.example.net', port: 8080 }] };
    expect(await partner(['--external-name-services'])).toMatchObject(expected);
    expect(await partner([], { EXTERNAL_NAME_SERVICES: 'true' })).toMatchObject(expected);
  });

  it('exits 2 for a path that does not exist', async () => {
    const { code, stderr } = await runCliToEnd(['render', '--manifests', '/nonexistent/manifests']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/nonexistent/);
  });
});
