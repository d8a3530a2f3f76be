// Step 5b: Gateway API precedence between matches that apply to the same host.
// HTTPRoute: hostname (exact, then longer wildcard), Exact path, then PathPrefix and RegularExpression by
// value length, longest first (a prefix before a regex of the same length; regexes are not ranked below
// "/" so that a catch-all never hides them), method present, most headers, most query params. GRPCRoute: hostname, most
// characters in service, then in method, most headers. Ties: oldest creationTimestamp, "namespace/name" as one string,
// rule order, match order. gRPC matches rank before HTTP ones of the same hostname: they only match POST
// requests to "/service/method" paths, which plain HTTP routes rarely target.
import type { RouteKind } from '../gatewayapi/constants.js';
import { hostRank } from '../gatewayapi/hostnames.js';
import { byString } from '../gatewayapi/values.js';
import type { RankedMatch } from './matches.js';

export interface MatchEntry {
  /** The route's effective hostname that made this match apply to the host key. */
  hostname: string;
  kind: RouteKind;
  creationTimestamp: string;
  namespace: string;
  name: string;
  ruleIndex: number;
  matchIndex: number;
  ranked: RankedMatch;
}

export type MatchSortKey = Array<number | string>;
type Key = MatchSortKey;

/** Sort key of one entry: smaller sorts first. */
function rankKey(e: MatchEntry): Key {
  const [hostClass, hostLen] = hostRank(e.hostname);
  const m = e.ranked.match;
  const headers = m.headers?.length ?? 0;
  if (e.ranked.grpc) return [hostClass, hostLen, 0, -e.ranked.grpc.service, -e.ranked.grpc.method, -headers, 0, 0, 0];
  const path = m.path ?? { type: 'PathPrefix', value: '/' };
  const exact = path.type === 'Exact' ? 0 : 1;
  const regex = path.type === 'RegularExpression' ? 1 : 0;
  return [
    hostClass,
    hostLen,
    1,
    exact,
    -path.value.length,
    regex,
    m.method ? 0 : 1,
    -headers,
    -(m.queryParams?.length ?? 0),
  ];
}

function tieKey(e: MatchEntry): Key {
  // Objects without a creationTimestamp (hand-written manifests) sort after those with one.
  return [e.creationTimestamp || '~', `${e.namespace}/${e.name}`, e.kind, e.ruleIndex, e.matchIndex];
}

function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    return typeof x === 'number' && typeof y === 'number' ? x - y : byString(String(x), String(y));
  }
  return 0;
}

export function compareMatches(a: MatchEntry, b: MatchEntry): number {
  return compareKeys(rankKey(a), rankKey(b)) || compareKeys(tieKey(a), tieKey(b));
}

/** compareMatches' order as one precomputed key (rank, then ties), so a sort builds each key once. */
export function matchSortKey(e: MatchEntry): MatchSortKey {
  return [...rankKey(e), ...tieKey(e)];
}

export const compareMatchSortKeys: (a: MatchSortKey, b: MatchSortKey) => number = compareKeys;
