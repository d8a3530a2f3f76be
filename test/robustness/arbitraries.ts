// fast-check generators of Gateway API worlds. Names come from small pools so references collide (routes hit
// real gateways, grants point at real namespaces, duplicates happen); every field may also be junk.
import fc from 'fast-check';
import { DEFAULT_CONTROLLER_NAME, type K8sObject, type Snapshot } from '../../src/core/types.js';
import { createTestCa } from '../support/test-ca.js';

const namespaces = ['ns-a', 'ns-b', 'default'];
/** Usually the first (well-formed) arbitrary, sometimes the odd one. */
const bias = <T, U>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd });
const ns = bias(fc.constant('default'), fc.constantFrom('ns-a', 'ns-b'));
const gwName = bias(fc.constant('gw-1'), fc.constant('gw-2'));
const svcName = fc.constantFrom('svc-1', 'svc-2', 'svc-3', 'missing');
const hostname = bias(
  fc.constantFrom('a.example.com', '*.example.com', 'b.a.example.com', '*.a.example.com', 'example.com', 'x.other.org'),
  fc.oneof(fc.constantFrom('bücher.example', 'UPPER.example.com', '*', '', 'a..b', '-bad-.com'), fc.domain()),
);
const junk = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.constant([]),
  fc.constant({}),
  fc.boolean(),
);
/** A value that is usually well-formed and sometimes junk. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: arb }, { weight: 1, arbitrary: junk });

const meta = (name: fc.Arbitrary<string>, namespaced = true) =>
  fc.record({
    name,
    ...(namespaced ? { namespace: ns } : {}),
    generation: fc.integer({ min: 1, max: 5 }),
    creationTimestamp: fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'),
    labels: fc.dictionary(fc.constantFrom('team', 'env'), fc.constantFrom('x', 'y'), { maxKeys: 2 }),
  });

const gatewayClass = fc.record({
  apiVersion: fc.constant('gateway.networking.k8s.io/v1'),
  kind: fc.constant('GatewayClass'),
  metadata: meta(fc.constantFrom('ours', 'theirs'), false),
  spec: maybe(
    fc.record(
      {
        controllerName: bias(fc.constant(DEFAULT_CONTROLLER_NAME), fc.constant('example.com/other')),
        parametersRef: fc.record(
          {
            group: fc.constantFrom('', 'example.com'),
            kind: fc.constantFrom('ConfigMap', 'Secret'),
            name: fc.constantFrom('params', 'missing'),
            namespace: ns,
          },
          { requiredKeys: ['kind', 'name'] },
        ),
      },
      { requiredKeys: ['controllerName'] },
    ),
  ),
});

// GatewayClass parameters: accessLog well spelled, misspelled, or absent.
const paramsConfigMap = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('ConfigMap'),
  metadata: meta(fc.constantFrom('params', 'other')),
  data: maybe(fc.dictionary(fc.constantFrom('accessLog', 'accountId'), fc.constantFrom('true', 'false', 'yes', ''))),
});

const listener = fc.record(
  {
    name: fc.constantFrom('http', 'https', 'tcp', 'dup'),
    protocol: maybe(bias(fc.constant('HTTP'), fc.constantFrom('HTTPS', 'TCP', 'TLS', 'UDP', 'GRPC'))),
    port: maybe(fc.constantFrom(80, 443, 8080)),
    hostname: hostname,
    allowedRoutes: maybe(
      fc.record(
        {
          namespaces: fc.record(
            {
              from: bias(fc.constant('All'), fc.constantFrom('Same', 'Selector', 'Bogus')),
              selector: fc.record({ matchLabels: fc.dictionary(fc.constantFrom('team'), fc.constantFrom('x', 'y')) }),
            },
            { requiredKeys: ['from'] },
          ),
          kinds: fc.array(
            fc.record({ kind: bias(fc.constantFrom('HTTPRoute', 'GRPCRoute'), fc.constant('TCPRoute')) }),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    tls: fc.record({
      certificateRefs: fc.array(
        fc.record({ name: fc.constantFrom('cert', 'nope'), namespace: ns }, { requiredKeys: ['name'] }),
        { maxLength: 2 },
      ),
    }),
  },
  { requiredKeys: ['name', 'protocol', 'port'] },
);

const gateway = fc.record({
  apiVersion: fc.constant('gateway.networking.k8s.io/v1'),
  kind: fc.constant('Gateway'),
  metadata: meta(gwName),
  spec: maybe(
    fc.record({
      gatewayClassName: bias(fc.constant('ours'), fc.constantFrom('theirs', 'absent')),
      listeners: maybe(fc.array(listener, { minLength: 1, maxLength: 3 })),
      allowedListeners: maybe(
        fc.record({
          namespaces: fc.record(
            {
              from: bias(fc.constantFrom('All', 'Same'), fc.constantFrom('None', 'Selector', 'Bogus')),
              selector: fc.record({ matchLabels: fc.dictionary(fc.constantFrom('team'), fc.constantFrom('x', 'y')) }),
            },
            { requiredKeys: [] },
          ),
        }),
      ),
    }),
  ),
});

const lsName = fc.constantFrom('ls-1', 'ls-2');
const listenerSet = fc.record({
  apiVersion: fc.constant('gateway.networking.k8s.io/v1'),
  kind: fc.constant('ListenerSet'),
  metadata: meta(lsName),
  spec: maybe(
    fc.record({
      parentRef: maybe(
        fc.record(
          { name: gwName, namespace: ns, kind: bias(fc.constant('Gateway'), fc.constant('ListenerSet')) },
          { requiredKeys: ['name'] },
        ),
      ),
      listeners: maybe(fc.array(listener, { minLength: 1, maxLength: 3 })),
    }),
  ),
});

const parentRef = bias(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ name: gwName }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('ListenerSet'), name: lsName }) },
  ),
  fc.record(
    {
      name: gwName,
      namespace: ns,
      sectionName: fc.constantFrom('http', 'https', 'nope'),
      port: fc.constantFrom(80, 443, 1),
      kind: bias(fc.constant('Gateway'), fc.constant('Service')),
    },
    { requiredKeys: ['name'] },
  ),
);
const backendRef = fc.record(
  {
    name: svcName,
    namespace: ns,
    port: maybe(fc.constantFrom(80, 8080)),
    weight: maybe(fc.integer({ min: 0, max: 5 })),
    kind: bias(fc.constant('Service'), fc.constant('Bucket')),
    group: bias(fc.constant(''), fc.constant('example.com')),
  },
  { requiredKeys: ['name'] },
);
const stringMatch = fc.record(
  {
    type: bias(fc.constantFrom('Exact', 'RegularExpression'), fc.constant('Weird')),
    name: bias(fc.constantFrom('x-a', 'X-B'), fc.constant('bad name')),
    value: bias(fc.constantFrom('1', 'v', '(a+)+$'), fc.constant('[')),
  },
  { requiredKeys: ['name', 'value'] },
);
const httpMatch = fc.record(
  {
    path: fc.record({
      type: bias(fc.constantFrom('Exact', 'PathPrefix', 'RegularExpression'), fc.constant('Glob')),
      value: bias(
        fc.constantFrom('/', '/a', '/a/', '/a/b', '/re/[0-9]+', '/(a+)+$'),
        fc.constantFrom('no-slash', '/['),
      ),
    }),
    method: bias(fc.constantFrom('GET', 'POST'), fc.constant('BREW')),
    headers: fc.array(stringMatch, { maxLength: 3 }),
    queryParams: fc.array(stringMatch, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const filter = fc.oneof(
  { depthSize: 'small' },
  fc.record({
    type: fc.constant('RequestHeaderModifier'),
    requestHeaderModifier: fc.record({
      set: fc.array(fc.record({ name: fc.constantFrom('x-a', 'X-B'), value: fc.string({ maxLength: 5 }) }), {
        maxLength: 2,
      }),
    }),
  }),
  fc.record({
    type: fc.constant('RequestRedirect'),
    requestRedirect: fc.record(
      {
        statusCode: maybe(fc.constantFrom(301, 302, 418)),
        scheme: fc.constantFrom('http', 'https', 'ftp'),
        path: fc.record({
          type: fc.constantFrom('ReplacePrefixMatch', 'ReplaceFullPath'),
          replacePrefixMatch: fc.constant('/x'),
          replaceFullPath: fc.constant('/y'),
        }),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    type: fc.constant('URLRewrite'),
    urlRewrite: fc.record(
      {
        hostname: fc.constantFrom('h.example.com'),
        path: fc.record({
          type: fc.constantFrom('ReplacePrefixMatch', 'ReplaceFullPath'),
          replacePrefixMatch: fc.constant('/'),
          replaceFullPath: fc.constant('/z'),
        }),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    type: fc.constant('RequestMirror'),
    requestMirror: fc.record(
      { backendRef, percent: fc.integer({ min: -5, max: 120 }) },
      { requiredKeys: ['backendRef'] },
    ),
  }),
  fc.record({ type: fc.constantFrom('ExtensionRef', 'Nonsense') }),
);
const rule = fc.record(
  {
    matches: maybe(fc.array(httpMatch, { maxLength: 3 })),
    filters: maybe(fc.array(filter, { maxLength: 1 })),
    backendRefs: maybe(fc.array(backendRef, { maxLength: 3 })),
    timeouts: fc.record(
      { request: fc.constantFrom('1s', '0s', '500ms', 'soon'), backendRequest: fc.constantFrom('1s', '2h') },
      { requiredKeys: [] },
    ),
    retry: fc.record(
      {
        attempts: fc.integer({ min: -1, max: 4 }),
        codes: fc.array(fc.constantFrom(500, 503, 200), { maxLength: 2 }),
        backoff: fc.constantFrom('100ms', 'x'),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);
const routeSpec = fc.record({
  parentRefs: maybe(fc.array(parentRef, { minLength: 1, maxLength: 2 })),
  hostnames: maybe(bias(fc.constantFrom([], ['a.example.com']), fc.array(hostname, { maxLength: 3 }))),
  rules: maybe(fc.array(rule, { maxLength: 4 })),
});
const httpRoute = fc.record({
  apiVersion: fc.constant('gateway.networking.k8s.io/v1'),
  kind: fc.constant('HTTPRoute'),
  metadata: meta(fc.constantFrom('r1', 'r2', 'r3')),
  spec: maybe(routeSpec),
});
const grpcRule = fc.record(
  {
    matches: fc.array(
      fc.record(
        {
          method: fc.record(
            {
              type: fc.constantFrom('Exact', 'RegularExpression'),
              service: fc.constantFrom('pkg.Svc', 'a.B', '(x+)+'),
              method: fc.constantFrom('Get', 'List'),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
    backendRefs: fc.array(backendRef, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const grpcRoute = fc.record({
  apiVersion: fc.constant('gateway.networking.k8s.io/v1'),
  kind: fc.constant('GRPCRoute'),
  metadata: meta(fc.constantFrom('g1', 'g2')),
  spec: maybe(
    fc.record({
      parentRefs: fc.array(parentRef, { maxLength: 2 }),
      hostnames: fc.array(hostname, { maxLength: 2 }),
      rules: fc.array(grpcRule, { maxLength: 3 }),
    }),
  ),
});
const referenceGrant = fc.record({
  apiVersion: fc.constant('gateway.networking.k8s.io/v1beta1'),
  kind: fc.constant('ReferenceGrant'),
  metadata: meta(fc.constantFrom('grant-1', 'grant-2')),
  spec: maybe(
    fc.record({
      from: fc.array(
        fc.record({
          group: fc.constant('gateway.networking.k8s.io'),
          kind: fc.constantFrom('HTTPRoute', 'GRPCRoute', 'Gateway'),
          namespace: ns,
        }),
        { maxLength: 2 },
      ),
      to: fc.array(
        fc.record(
          {
            group: fc.constant(''),
            kind: fc.constantFrom('Service', 'Secret'),
            name: fc.option(svcName, { nil: undefined }),
          },
          { requiredKeys: ['group', 'kind'] },
        ),
        { maxLength: 2 },
      ),
    }),
  ),
});
const namespace = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Namespace'),
  metadata: meta(fc.constantFrom(...namespaces), false),
});
const service = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Service'),
  metadata: meta(svcName),
  spec: maybe(
    fc.record({
      ports: fc.array(
        fc.record(
          {
            name: fc.constantFrom('http', 'grpc'),
            port: fc.constantFrom(80, 8080),
            appProtocol: fc.constantFrom('kubernetes.io/h2c', 'kubernetes.io/ws', 'http', 'HTTPS', 'kubernetes.io/wss'),
          },
          { requiredKeys: ['port'] },
        ),
        { maxLength: 2 },
      ),
    }),
  ),
});
const endpointSlice = fc.record({
  apiVersion: fc.constant('discovery.k8s.io/v1'),
  kind: fc.constant('EndpointSlice'),
  metadata: fc.record({
    name: fc.constantFrom('s1', 's2', 's3'),
    namespace: ns,
    labels: fc.record({ 'kubernetes.io/service-name': svcName }),
  }),
  addressType: fc.constant('IPv4'),
  ports: maybe(
    fc.array(fc.record({ name: fc.constantFrom('http', 'grpc'), port: fc.integer({ min: 1, max: 65535 }) }), {
      maxLength: 2,
    }),
  ),
  endpoints: maybe(
    fc.array(
      fc.record({
        addresses: fc.array(fc.ipV4(), { minLength: 1, maxLength: 2 }),
        conditions: fc.record({ ready: fc.boolean() }, { requiredKeys: [] }),
      }),
      { maxLength: 3 },
    ),
  ),
});
const secret = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Secret'),
  metadata: meta(fc.constantFrom('cert', 'other')),
  type: fc.constant('kubernetes.io/tls'),
});

const caPem = createTestCa().cert;
const caConfigMap = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('ConfigMap'),
  metadata: meta(fc.constantFrom('ca', 'other')),
  data: maybe(fc.record({ 'ca.crt': bias(fc.constant(caPem), junk) }, { requiredKeys: [] })),
});

const backendTLSPolicy = fc.record({
  apiVersion: fc.constant('gateway.networking.k8s.io/v1'),
  kind: fc.constant('BackendTLSPolicy'),
  metadata: meta(fc.constantFrom('p-1', 'p-2', 'p-3')),
  spec: maybe(
    fc.record({
      targetRefs: fc.array(
        fc.record(
          {
            group: bias(fc.constant(''), fc.constant('example.io')),
            kind: bias(fc.constant('Service'), fc.constant('Gateway')),
            name: svcName,
            sectionName: fc.constantFrom('http', 'grpc', 'nope'),
          },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 2 },
      ),
      validation: maybe(
        fc.record(
          {
            hostname: bias(fc.constant('abc.example.com'), fc.constantFrom('*.example.com', '', 'UPPER.example')),
            caCertificateRefs: maybe(
              fc.array(
                fc.record({
                  group: bias(fc.constant(''), fc.constant('invalid.io')),
                  kind: bias(fc.constant('ConfigMap'), fc.constant('Secret')),
                  name: fc.constantFrom('ca', 'other', 'missing'),
                }),
                { maxLength: 2 },
              ),
            ),
            wellKnownCACertificates: fc.constantFrom('System', 'example.com/mine', ''),
            subjectAltNames: maybe(
              fc.array(
                fc.oneof(
                  fc.record({ type: fc.constant('Hostname'), hostname: hostname }),
                  fc.record({ type: fc.constant('URI'), uri: fc.constantFrom('spiffe://a/b', 'nope', '') }),
                  junk,
                ),
                { maxLength: 6 },
              ),
            ),
          },
          { requiredKeys: ['hostname'] },
        ),
      ),
    }),
  ),
});

// Unique by namespace/name, as an API server (and the file source) guarantees.
const list = <T>(arb: fc.Arbitrary<T>, max: number) =>
  fc.uniqueArray(arb, {
    maxLength: max,
    selector: (o) => `${(o as K8sObject).metadata.namespace ?? ''}/${(o as K8sObject).metadata.name}`,
  }) as unknown as fc.Arbitrary<K8sObject[]>;

const ourClass = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'ours' },
  spec: { controllerName: DEFAULT_CONTROLLER_NAME },
};

export const snapshotArb: fc.Arbitrary<Snapshot> = fc.record({
  // Most worlds have our class, so generated gateways and routes get past the first step.
  gatewayClasses: bias(fc.constant([ourClass] as unknown as K8sObject[]), list(gatewayClass, 3)),
  gateways: list(gateway, 3),
  httpRoutes: list(httpRoute, 4),
  grpcRoutes: list(grpcRoute, 2),
  referenceGrants: list(referenceGrant, 2),
  namespaces: list(namespace, 3),
  services: list(service, 4),
  endpointSlices: list(endpointSlice, 4),
  secrets: list(secret, 2),
  configMaps: list(fc.oneof(paramsConfigMap, caConfigMap), 3),
  backendTLSPolicies: list(backendTLSPolicy, 3),
  listenerSets: list(listenerSet, 3),
});
