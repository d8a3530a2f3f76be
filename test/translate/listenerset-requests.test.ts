// Request tables of the v1.6.1 ListenerSet conformance tests (conformance/tests/listenerset-*.go), resolved
// against their golden inputs as the proxy would (request-support.ts): traffic through a ListenerSet listener is
// routed, and a route reaches only the listeners of the parent it names. Cases marked "ours" are not in the
// upstream tables; they check what the upstream tests assert on status only, through requests.
import { describe, expect, it } from '@jest/globals';
import { V1, V2, V3, resolve, scenarioOf, type Req } from './request-support.js';

/** Every path of the routing test, with the hosts each must be served on (404 everywhere else). */
const HTTP_ROUTING_HOSTS = [
  'gateway-listener-1.com',
  'gateway-listener-2.com',
  'listener-set-http-routing-1-listener-1.com',
  'listener-set-http-routing-1-listener-2.com',
  'listener-set-http-routing-2-listener-1.com',
  'listener-set-http-routing-2-listener-2.com',
];
const HTTP_ROUTING_PATHS: Array<[string, string, string[]]> = [
  ['/route', V1, HTTP_ROUTING_HOSTS],
  ['/gateway-route', V2, HTTP_ROUTING_HOSTS.slice(0, 2)],
  ['/gateway-section-route', V3, HTTP_ROUTING_HOSTS.slice(0, 1)],
  ['/listener-set-http-routing-1-route', V2, HTTP_ROUTING_HOSTS.slice(2, 4)],
  ['/listener-set-http-routing-1-section-route', V3, HTTP_ROUTING_HOSTS.slice(2, 3)],
  ['/listener-set-http-routing-2-route', V2, HTTP_ROUTING_HOSTS.slice(4, 6)],
];
const httpRouting: Array<[Req, string | number]> = HTTP_ROUTING_PATHS.flatMap(([path, backend, served]) =>
  HTTP_ROUTING_HOSTS.map((host): [Req, string | number] => [{ host, path }, served.includes(host) ? backend : 404]),
);

describe.each<[string, Array<[Req, string | number]>]>([
  ['conformance-listenerset-http-routing', httpRouting],
  [
    'conformance-listenerset-allowed-routes-namespaces',
    [
      [{ host: 'listener-set-listener-allowed-routes-all.com', path: '/route-in-same-namespace' }, V1],
      [{ host: 'listener-set-listener-allowed-routes-all.com', path: '/route-in-selected-namespace' }, V2],
      [{ host: 'listener-set-listener-allowed-routes-all.com', path: '/route-not-in-selected-namespace' }, V3],
      [{ host: 'listener-set-listener-allowed-routes-same.com', path: '/route-in-same-namespace' }, V1],
      [{ host: 'listener-set-listener-allowed-routes-same.com', path: '/route-in-selected-namespace' }, 404],
      [{ host: 'listener-set-listener-allowed-routes-same.com', path: '/route-not-in-selected-namespace' }, 404],
      [{ host: 'listener-set-listener-allowed-routes-selector.com', path: '/route-in-same-namespace' }, 404],
      [{ host: 'listener-set-listener-allowed-routes-selector.com', path: '/route-in-selected-namespace' }, V2],
      [{ host: 'listener-set-listener-allowed-routes-selector.com', path: '/route-not-in-selected-namespace' }, 404],
      [{ host: 'listener-set-listener-allowed-routes-cross-ns-same.com', path: '/route-in-listenerset-namespace' }, V1],
      [{ host: 'listener-set-listener-allowed-routes-cross-ns-same.com', path: '/route-in-gateway-namespace' }, 404],
      // ours: the Gateway's own listener takes none of the ListenerSets' routes
      [{ host: 'gateway-listener.com', path: '/route-in-same-namespace' }, 404],
    ],
  ],
  [
    'conformance-listenerset-dual-parentref-independence',
    [
      [{ host: 'gw-dual.com', path: '/dualboth' }, V1],
      [{ host: 'ls-dual.com', path: '/dualboth' }, V1],
      [{ host: 'ls-dual.com', path: '/dualone' }, V2],
      [{ host: 'gw-dual.com', path: '/dualone' }, 404],
    ],
  ],
  [
    'conformance-listenerset-gateway-parent-section-name-not-found',
    [
      [{ host: 'ls-section-name.com', path: '/goodsection' }, V1],
      [{ host: 'gw-section.com', path: '/badsection' }, 404],
      // ours: the refused parentRef does not leak the route onto the ListenerSet's listener either
      [{ host: 'ls-section-name.com', path: '/badsection' }, 404],
    ],
  ],
  [
    // ours: the upstream test checks status only
    'conformance-listenerset-route-status-scoped-to-parentref',
    [
      [{ host: 'gw-parentref.com', path: '/gwonly' }, V1],
      [{ host: 'listenerset-parentref.com', path: '/lsonly' }, V2],
      [{ host: 'gw-parentref.com', path: '/lsonly' }, 404],
      [{ host: 'listenerset-parentref.com', path: '/gwonly' }, 404],
    ],
  ],
  [
    // ours: precedence by age, a set's own port, listener isolation over the Gateway's and its sets' listeners
    'listenerset-edge-cases',
    [
      [{ host: 'app.example.com', path: '/' }, 'b-backend'], // the older set holds app.example.com
      [{ host: 'app.example.com:8080', path: '/' }, 404], // a-young's 8080 listener is alt.example.com only
      [{ host: 'alt.example.com:8080', path: '/' }, 'a-backend'],
      [{ host: 'alt.example.com', path: '/' }, 'gateway-backend'], // port 80: the Gateway's *.example.com listener
      [{ host: 'other.example.com', path: '/' }, 'gateway-backend'],
    ],
  ],
])('%s', (scenario, table) => {
  const compiled = scenarioOf(scenario);
  it.each(table)('%j → %p', (req, expected) => {
    expect(resolve(compiled, req)).toBe(expected);
  });
});
