// The checkers the deploy tests rely on must themselves catch what they claim to: a help parser that
// missed flags, a schema check that accepted anything or an authorizer that allowed everything would make
// the manifest tests pass vacuously.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { parseHelp } from './support/cli-help.js';
import { unknownFields, validateWithCrd, validateWithModels } from './support/schema.js';
import { grantsFor, isAllowed, type ApiRequest } from './support/rbac.js';
import { deriveApiCalls } from './support/api-calls.js';
import type { K8s } from './support/render.js';

describe('parseHelp (on real commander output)', () => {
  const command = new Command('proxy')
    .description('one proxy replica')
    .requiredOption('--listen <host:port>', 'data plane')
    .option('--tls-listen [host:port]', 'TLS port')
    .option('--leader-elect', 'take part in leader election')
    .addOption(new Option('--admin-token-file <file>', 'bearer token for the admin API').env('ADMIN_TOKEN_FILE'))
    .addOption(new Option('--log-level <level>', 'pino log level').default('info').env('LOG_LEVEL'));
  // Narrow, so descriptions wrap the way they do when stdout is not a terminal.
  command.configureOutput({ getOutHelpWidth: () => 72 });
  const help = parseHelp(command.helpInformation());

  it('is fed wrapped descriptions (an env note split over two lines)', () => {
    expect(command.helpInformation()).toMatch(/env:\n\s+ADMIN_TOKEN_FILE\)/);
  });

  it.each([
    // flag,                 takesValue, valueOptional, env
    ['--listen', true, false, undefined],
    ['--tls-listen', true, true, undefined],
    ['--leader-elect', false, false, undefined],
    ['--admin-token-file', true, false, 'ADMIN_TOKEN_FILE'],
    ['--log-level', true, false, 'LOG_LEVEL'],
    ['--help', false, false, undefined],
  ])('reads %s', (flag, takesValue, valueOptional, env) => {
    expect(help.flags.get(flag as string)).toEqual({ long: flag, takesValue, valueOptional, ...(env ? { env } : {}) });
  });

  it('finds nothing that is not there', () => {
    expect(help.flags.has('--namespace')).toBe(false);
    expect(help.flags.size).toBe(6);
  });

  it('reads subcommand names', () => {
    const root = new Command('tunnel-gateway').addCommand(new Command('proxy')).addCommand(new Command('controller'));
    expect([...parseHelp(root.helpInformation()).commands].sort()).toEqual(['controller', 'help', 'proxy']);
  });
});

describe('schema checks reject what an API server would', () => {
  const deployment = (port: unknown): K8s => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: port }] }] },
      },
    },
  });

  it('models: accepts a valid Deployment, rejects a non-integer containerPort', async () => {
    await expect(validateWithModels(deployment(8080))).resolves.toBeUndefined();
    await expect(validateWithModels(deployment('8080'))).rejects.toThrow(/containerPort must be integer/);
  });

  it('unknown fields: finds a misspelt securityContext field and a stray top-level key, nothing in a valid object', () => {
    const valid = deployment(8080);
    expect(unknownFields(valid)).toEqual([]);
    const typo = structuredClone(valid);
    typo.spec.template.spec.containers[0].securityContext = { readOnlyRootFileSystem: true, runAsUser: 1 };
    typo.spec.replica = 2;
    expect(unknownFields(typo).sort()).toEqual([
      '/spec/replica',
      '/spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem',
    ]);
  });

  const route = (spec: Record<string, unknown>): K8s => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'n' },
    spec,
  });

  it('models: rejects an unknown HTTPRoute path match type', async () => {
    await expect(
      validateWithModels(route({ rules: [{ matches: [{ path: { type: 'Glob', value: '/' } }] }] })),
    ).rejects.toThrow(/allowed values/);
  });

  it('CRD: accepts a valid HTTPRoute, rejects unknown fields and bad enums', () => {
    expect(
      validateWithCrd(
        route({ parentRefs: [{ name: 'g' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] }),
      ),
    ).toEqual([]);
    expect(validateWithCrd(route({ parentRef: [{ name: 'g' }] })).join()).toMatch(/additional properties/);
    expect(validateWithCrd(route({ rules: [{ matches: [{ path: { type: 'Glob', value: '/' } }] }] })).join()).toMatch(
      /allowed values/,
    );
  });
});

describe('RBAC authorizer', () => {
  const sa = { name: 'ctl', namespace: 'sys' };
  const objects: K8s[] = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'read' },
      rules: [
        {
          apiGroups: ['gateway.networking.k8s.io'],
          resources: ['httproutes', 'httproutes/status'],
          verbs: ['list', 'patch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'read' },
      roleRef: { kind: 'ClusterRole', name: 'read' },
      subjects: [{ kind: 'ServiceAccount', name: 'ctl', namespace: 'sys' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'own', namespace: 'sys' },
      rules: [
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: ['lock'],
          verbs: ['get', 'update'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'own', namespace: 'sys' },
      roleRef: { kind: 'Role', name: 'own' },
      subjects: [{ kind: 'ServiceAccount', name: 'ctl' }],
    },
  ];
  const grants = grantsFor(objects, sa);
  const gw = 'gateway.networking.k8s.io';

  it.each<[string, ApiRequest, boolean]>([
    ['cluster-wide list through the ClusterRoleBinding', { verb: 'list', group: gw, resource: 'httproutes' }, true],
    [
      'status patch in any namespace',
      { verb: 'patch', group: gw, resource: 'httproutes', subresource: 'status', namespace: 'app', name: 'r' },
      true,
    ],
    [
      'a verb the rule does not list',
      { verb: 'delete', group: gw, resource: 'httproutes', namespace: 'app', name: 'r' },
      false,
    ],
    ['another resource of the group', { verb: 'list', group: gw, resource: 'gateways' }, false],
    [
      'the named lease in the Role namespace',
      { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'sys', name: 'lock' },
      true,
    ],
    [
      'another lease name',
      { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'sys', name: 'other' },
      false,
    ],
    [
      'the named lease in another namespace',
      { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace: 'app', name: 'lock' },
      false,
    ],
    [
      'a nameless request against a resourceNames rule',
      { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'sys' },
      false,
    ],
  ])('%s', (_, request, allowed) => {
    expect(isAllowed(grants, request)).toBe(allowed);
  });

  it('grants nothing to another ServiceAccount', () => {
    expect(grantsFor(objects, { name: 'other', namespace: 'sys' })).toEqual([]);
  });
});

describe('deriveApiCalls (on a synthetic adapter source)', () => {
  const source = `
    const GROUP = 'gateway.networking.k8s.io';
    const PLURALS: Record<string, string> = { Gateway: 'gateways', HTTPRoute: 'httproutes' };
    export class Lease {
      constructor(private readonly o: { rest: KubeRest; namespace: string; name: string }) {
        this.path = \`/apis/coordination.k8s.io/v1/namespaces/\${encodeURIComponent(o.namespace)}/leases\`;
      }
      async renew() {
        const lease = await this.o.rest.get(\`\${this.path}/\${encodeURIComponent(this.o.name)}\`);
        await this.o.rest.replace(\`\${this.path}/\${this.o.name}\`, lease);
      }
    }
    async function writeStatus(rest: KubeRest, kind: string, ns: string, name: string) {
      const path = objectPath({ group: GROUP, version: 'v1', plural: PLURALS[kind] }, ns, name);
      await rest.patch(\`\${path}/status\`, {}, MERGE_PATCH);
    }
    async function listSome(rest: KubeRest, path: string) { return rest.list(path); }
    void listSome(rest, '/api/v1/services');
    await rest.create(somewhereElse(), {});
  `;
  const dir = mkdtempSync(join(tmpdir(), 'api-calls-'));
  writeFileSync(join(dir, 'adapter.ts'), source);
  const derived = deriveApiCalls([join(dir, 'adapter.ts')]);
  const calls = derived.calls.map(
    (c) =>
      `${c.verb} ${c.group}/${c.resource}${c.subresource ? `/${c.subresource}` : ''}${c.namespaced ? ' ns' : ''}${c.named ? ' named' : ''}`,
  );

  it.each([
    'get coordination.k8s.io/leases ns named', // template literal through a field
    'update coordination.k8s.io/leases ns named', // replace → update
    'patch gateway.networking.k8s.io/gateways/status ns named', // objectPath + constant + lookup map
    'patch gateway.networking.k8s.io/httproutes/status ns named',
    'list /services', // a parameter, resolved at its call site
  ])('finds %s', (call) => {
    expect(calls).toContain(call);
  });

  it('reports what it cannot resolve instead of dropping it', () => {
    expect(derived.unresolved).toEqual([expect.stringContaining('rest.create(somewhereElse())')]);
    expect(calls).toHaveLength(5);
  });
});
