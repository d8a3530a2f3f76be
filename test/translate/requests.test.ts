// Conformance-style request tables: each request is resolved against a translated golden input as the proxy
// would (request-support.ts). The expected backends are those of the upstream conformance tests — an oracle
// independent of our code — plus cases that must NOT match (regexes match whole values, prefixes whole
// segments), which a looser matcher would get wrong.
import { describe, expect, it } from '@jest/globals';
import { V1, V2, V3, grpc, resolve, scenarioOf, type Req } from './request-support.js';

describe.each<[string, Array<[Req, string | number]>]>([
  [
    'conformance-httproute-matching',
    [
      [{ path: '/' }, V1],
      [{ path: '/example' }, V1],
      [{ path: '/', headers: { Version: 'one' } }, V1],
      [{ path: '/v2' }, V2],
      [{ path: '/v2/example' }, V2],
      [{ path: '/', headers: { Version: 'two' } }, V2],
      [{ path: '/v2/' }, V2],
      [{ path: '/v2example' }, V1],
      [{ path: '/foo/v2/example' }, V1],
    ],
  ],
  [
    'conformance-httproute-hostname-intersection',
    [
      [{ host: 'very.specific.com', path: '/s1' }, V1],
      [{ host: 'very.specific.com:1234', path: '/s1' }, V1],
      [{ host: 'non.matching.com', path: '/s1' }, 404],
      [{ host: 'foo.nonmatchingwildcard.io', path: '/s1' }, 404],
      [{ host: 'foo.wildcard.io', path: '/s1' }, 404],
      [{ host: 'very.specific.com', path: '/non-matching-prefix' }, 404],
      [{ host: 'foo.wildcard.io', path: '/s2' }, V2],
      [{ host: 'bar.wildcard.io', path: '/s2' }, V2],
      [{ host: 'foo.bar.wildcard.io', path: '/s2' }, V2],
      [{ host: 'non.matching.com', path: '/s2' }, 404],
      [{ host: 'wildcard.io', path: '/s2' }, 404],
      [{ host: 'very.specific.com', path: '/s2' }, 404],
      [{ host: 'very.specific.com', path: '/s3' }, V3],
      [{ host: 'foo.specific.com', path: '/s3' }, 404],
      [{ host: 'foo.wildcard.io', path: '/s3' }, 404],
      [{ host: 'foo.anotherwildcard.io', path: '/s4' }, V1],
      [{ host: 'bar.anotherwildcard.io', path: '/s4' }, V1],
      [{ host: 'foo.bar.anotherwildcard.io', path: '/s4' }, V1],
      [{ host: 'anotherwildcard.io', path: '/s4' }, 404],
      [{ host: 'foo.wildcard.io', path: '/s4' }, 404],
      [{ host: 'very.specific.com', path: '/s4' }, 404],
      [{ host: 'specific.but.wrong.com', path: '/s5' }, 404],
      [{ host: 'wildcard.io', path: '/s5' }, 404],
    ],
  ],
  [
    'conformance-httproute-listener-hostname-matching',
    [
      [{ host: 'bar.com', path: '/' }, V1],
      [{ host: 'foo.bar.com', path: '/' }, V2],
      [{ host: 'baz.bar.com', path: '/' }, V3],
      [{ host: 'boo.bar.com', path: '/' }, V3],
      [{ host: 'multiple.prefixes.bar.com', path: '/' }, V3],
      [{ host: 'multiple.prefixes.foo.com', path: '/' }, V3],
      [{ host: 'foo.com', path: '/' }, 404],
      [{ host: 'no.matching.host', path: '/' }, 404],
    ],
  ],
  [
    // The Host header's port picks the listener port, as cloudflared delivers it (conformance sends each
    // request to the Gateway address of that port, with the port in Host).
    'conformance-httproute-listener-port-matching',
    [
      [{ host: 'foo.com', path: '/' }, V1],
      [{ host: 'foo.com:8080', path: '/' }, V2],
      [{ host: 'bar.com:8080', path: '/' }, V2],
      [{ host: 'foo.com:8090', path: '/' }, V3],
      [{ host: 'bar.com:8090', path: '/' }, 404],
    ],
  ],
  [
    'listener-ports',
    [
      [{ host: 'www.example.com', path: '/' }, 'everywhere'],
      [{ host: 'www.example.com', path: '/', tls: true }, 'everywhere'],
      [{ host: 'www.example.com:443', path: '/' }, 'everywhere'],
      [{ host: 'www.example.com:8080', path: '/' }, 404], // the 8080 listener takes only.example.com
      [{ host: 'www.example.com:8443', path: '/' }, 404], // the 8443 listener takes GRPCRoutes only
      [{ host: 'www.example.com:9999', path: '/' }, 'everywhere'], // no listener on 9999: the port is not considered
      [{ host: 'www.example.com:x', path: '/' }, 400],
      [{ host: 'only.example.com', path: '/' }, 'everywhere'],
      [{ host: 'only.example.com:8080', path: '/' }, 'alt'], // "everywhere" is from another namespace than allowed there
      [{ host: 'pay.example.com', path: '/' }, 'plain'], // cleartext: port 80
      [{ host: 'pay.example.com', path: '/', tls: true }, 'secure'], // TLS port: 443
      [{ host: 'pay.example.com:443', path: '/' }, 'secure'],
      [{ host: 'pay.example.com:80', path: '/', tls: true }, 'plain'],
      // Down the tunnel http:// and https:// visitors both come without a port: pay.example.com, whose routes
      // differ on 80 and 443, is sent to the TLS port (443), the others to the cleartext one (80).
      [{ host: 'pay.example.com', path: '/', tunnel: true }, 'secure'],
      [{ host: 'www.example.com', path: '/', tunnel: true }, 'everywhere'],
      [{ host: 'only.example.com:8080', path: '/', tunnel: true }, 'alt'],
    ],
  ],
  [
    'conformance-gateway-http-listener-isolation',
    [
      [{ host: 'bar.com', path: '/empty-hostname' }, V1],
      [{ host: 'bar.com', path: '/wildcard-example-com' }, 404],
      [{ host: 'bar.com', path: '/wildcard-foo-example-com' }, 404],
      [{ host: 'bar.com', path: '/abc-foo-example-com' }, 404],
      [{ host: 'bar.example.com', path: '/empty-hostname' }, 404],
      [{ host: 'bar.example.com', path: '/wildcard-example-com' }, V1],
      [{ host: 'bar.example.com', path: '/wildcard-foo-example-com' }, 404],
      [{ host: 'bar.foo.example.com', path: '/empty-hostname' }, 404],
      [{ host: 'bar.foo.example.com', path: '/wildcard-example-com' }, 404],
      [{ host: 'bar.foo.example.com', path: '/wildcard-foo-example-com' }, V1],
      [{ host: 'bar.foo.example.com', path: '/abc-foo-example-com' }, 404],
      [{ host: 'abc.foo.example.com', path: '/empty-hostname' }, 404],
      [{ host: 'abc.foo.example.com', path: '/wildcard-foo-example-com' }, 404],
      [{ host: 'abc.foo.example.com', path: '/abc-foo-example-com' }, V1],
    ],
  ],
  [
    'listener-isolation-without-routes',
    [
      [{ host: 'bar.com', path: '/' }, V1],
      [{ host: 'example.com', path: '/' }, V1],
      [{ host: 'bar.example.com', path: '/' }, 404],
      [{ host: 'a.b.example.com', path: '/' }, 404],
      [{ host: 'abc.example.org', path: '/' }, 404],
      [{ host: 'other.example.org', path: '/' }, V1],
    ],
  ],
  [
    'conformance-httproute-header-query-method-matching',
    [
      [{ host: 'match.example.com', path: '/', headers: { version: 'one' } }, V1],
      [{ host: 'match.example.com', path: '/', headers: { Version: 'two', Color: 'orange' } }, V2],
      [{ host: 'match.example.com', path: '/', headers: { Version: 'two' } }, 404],
      [{ host: 'match.example.com', path: '/', query: { animal: 'whale' } }, V1],
      [{ host: 'match.example.com', path: '/', query: { animal: 'dolphin', Color: 'blue' } }, V2],
      [{ host: 'match.example.com', path: '/', query: { animal: 'dolphin', color: 'blue' } }, 404], // query names are case-sensitive
      [{ host: 'match.example.com', path: '/', method: 'POST' }, V1],
      [{ host: 'match.example.com', path: '/get', method: 'GET' }, V2],
      [{ host: 'match.example.com', path: '/', method: 'PATCH', headers: { version: 'one' } }, V2], // method ranks before headers
      [{ host: 'match.example.com', path: '/', method: 'GET' }, 404],
      // Regexes match the whole value: "b.*" is not found inside "ablue", "^(orange|red)$" not in "orangey".
      [{ host: 'match.example.com', path: '/', query: { animal: 'dolphin', Color: 'ablue' } }, 404],
      [{ host: 'match.example.com', path: '/', headers: { Version: 'two', Color: 'orangey' } }, 404],
      [{ host: 'match.example.com', path: '/', headers: { Version: 'two', Color: 'red' } }, V2],
    ],
  ],
  [
    'precedence-path-types',
    [
      [{ path: '/v2' }, V2],
      [{ path: '/v2/' }, V1], // Exact means exact
      [{ path: '/v2/example/x' }, V3],
      [{ path: '/v2/examplex' }, V1], // a prefix matches whole segments
      [{ path: '/re/abc' }, V3],
      [{ path: '/re/abc/d' }, V1], // a path regex matches the whole path, not a part of it
      [{ path: '/re/ABC' }, V1],
      [{ path: '/r7' }, V3],
      [{ path: '/xr7' }, V1],
      [{ path: '/r77' }, V1],
      [{ path: '/anything', headers: { version: 'two' } }, V2],
    ],
  ],
  [
    'conformance-grpcroute-matching',
    [
      [grpc('grpc.example.com', { Version: 'one' }), 'grpc-infra-backend-v1'],
      [grpc('grpc.example.com', { Version: 'two' }), 'grpc-infra-backend-v2'],
      [grpc('grpc.example.com', { Version: 'two', Color: 'orange' }), 'grpc-infra-backend-v1'],
      [grpc('grpc.example.com', { Version: 'two', Color: 'blue' }), 'grpc-infra-backend-v2'], // equal header counts: rule order
      [grpc('grpc.example.com', { Color: 'orange' }), 404],
      [grpc('grpc.example.com', { 'Some-Other-Header': 'one' }), 404],
      [grpc('grpc.example.com', { Color: 'blue' }), 'grpc-infra-backend-v1'],
      [grpc('grpc.example.com', { Color: 'green' }), 'grpc-infra-backend-v1'],
      [grpc('grpc.example.com', { Color: 'red' }), 'grpc-infra-backend-v2'],
      [grpc('grpc.example.com', { Color: 'yellow' }), 'grpc-infra-backend-v2'],
      [grpc('grpc.example.com', { Color: 'purple' }), 404],
      [grpc('exact.grpc.example.com', {}, 'Echo'), 'grpc-infra-backend-v1'],
      [grpc('exact.grpc.example.com', {}, 'EchoTwo'), 'grpc-infra-backend-v2'],
      [grpc('exact.grpc.example.com', {}, 'EchoThree'), 404],
      [
        {
          host: 'exact.grpc.example.com',
          path: '/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo',
          method: 'GET',
        },
        404,
      ],
    ],
  ],
])('%s', (scenario, table) => {
  const compiled = scenarioOf(scenario);
  it.each(table)('%j → %p', (req, expected) => {
    expect(resolve(compiled, req)).toBe(expected);
  });
});
