// The proxy config's version: sha256 of its JSON text (JSON.stringify of the config without `version`), fed
// to the hash in pieces — one rule, a host entry's head, one match at a time — so that a config of many
// megabytes is hashed in steps between which the control plane may yield (standalone serves meanwhile).
import { createHash } from 'node:crypto';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import type { Steps } from '../core/steps.js';

/**
 * JSON texts of rules and matches by object. Unchanged routes keep their rule and match objects across
 * translations (memo.ts), so a config of 5,000 routes differing by one is stringified for the one; the
 * objects are never changed once built (memo.ts), so their text cannot go stale.
 */
const texts = new WeakMap<object, string>();

function jsonOf(value: object): string {
  let text = texts.get(value);
  if (text === undefined) texts.set(value, (text = JSON.stringify(value)));
  return text;
}

/** A host entry's match as JSON.stringify writes `{ match, rule }` (the key order proxyconfig.ts builds). */
function matchJson({ match, rule }: VersionedBody['hosts'][number]['matches'][number]): string {
  return `{"match":${jsonOf(match)},"rule":${rule}}`;
}

/** Characters of config JSON hashed between two points where the hashing may yield. */
const HASHED_CHARS_PER_STEP = 1 << 16;

type VersionedBody = Omit<ProxyConfigInput, 'version'>;

/** The same text as JSON.stringify(body) for the shape buildProxyConfigSteps builds (its key order). */
export function* configVersionSteps(body: VersionedBody): Steps<string> {
  const hash = createHash('sha256');
  let pending: string[] = [];
  let pendingChars = 0;
  /** True when enough text was collected to hash it (a step): one update per piece would cost more. */
  const feed = (text: string): boolean => {
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars < HASHED_CHARS_PER_STEP) return false;
    hash.update(pending.join(''));
    pending = [];
    pendingChars = 0;
    return true;
  };
  const { gateways, listenerPorts, rules, hosts, accessLog } = body;
  const head = [
    gateways && `"gateways":${JSON.stringify(gateways)}`,
    listenerPorts && `"listenerPorts":${JSON.stringify(listenerPorts)}`,
    '"rules":[',
  ];
  feed(`{${head.filter(Boolean).join(',')}`);
  for (let i = 0; i < rules.length; i++) if (feed((i ? ',' : '') + jsonOf(rules[i]!))) yield;
  feed('],"hosts":[');
  for (let h = 0; h < hosts.length; h++) {
    if (h) feed(',');
    const host = hosts[h]!;
    const known = texts.get(host);
    if (known !== undefined) {
      if (feed(known)) yield;
      continue;
    }
    // A host entry new to this build: its text in pieces (one may hold tens of thousands of matches),
    // remembered whole for the builds that reuse the entry (proxyconfig.ts).
    const { hostname, gateway, ports, matches } = host;
    const gatewayText = gateway !== undefined ? `,"gateway":${JSON.stringify(gateway)}` : '';
    const portsText = ports ? `,"ports":${JSON.stringify(ports)}` : '';
    const pieces = [`{"hostname":${JSON.stringify(hostname)}${gatewayText}${portsText},"matches":[`];
    feed(pieces[0]!);
    for (let i = 0; i < matches.length; i++) {
      pieces.push((i ? ',' : '') + matchJson(matches[i]!));
      if (feed(pieces[pieces.length - 1]!)) yield;
    }
    pieces.push(']}');
    feed(']}');
    texts.set(host, pieces.join(''));
  }
  feed(accessLog ? '],"accessLog":true}' : ']}');
  return hash.update(pending.join('')).digest('hex');
}
