// The proxy config's version: a content hash, the same for the same config whatever objects hold it, and
// different when any part differs. A hash tree, one level deep: sha256 over the config's head (Gateways,
// listener ports, the access log switch), the sha256 of each rule's JSON text and the sha256 of each host
// entry's JSON text, in order. Rules and host entries are never changed once built, and unchanged routes
// keep theirs across translations (memo.ts, proxyconfig.ts), so a change hashes only the entries it made
// plus 32 bytes per entry; hashing the whole JSON text (1.7 MiB at 5,000 routes) cost ~5 ms a change.
// A host entry new to the build is hashed in pieces (one may hold tens of thousands of matches), between
// which the control plane may yield (standalone serves meanwhile).
import { createHash, type Hash } from 'node:crypto';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import { changedRange } from '../core/changed-range.js';
import type { Steps } from '../core/steps.js';

type VersionedBody = Omit<ProxyConfigInput, 'version'>;

const DIGEST_BYTES = 32;

/** sha256 of the JSON text of each rule and host entry, by object. */
const digests = new WeakMap<object, Buffer>();

/** JSON texts of matches by object: a host entry rebuilt around unchanged matches reuses their text. */
const matchTexts = new WeakMap<object, string>();

/** Characters hashed between two points where hashing may yield. */
const HASHED_CHARS_PER_STEP = 1 << 16;

/** The last build's rules and hosts and their digests, end to end: the next build copies what it shares. */
let last:
  { rules: readonly object[]; hosts: readonly object[]; ruleTree: Uint8Array; hostTree: Uint8Array } | undefined;

export function* configVersionSteps(body: VersionedBody): Steps<string> {
  const { gateways, listenerPorts, rules, hosts, accessLog } = body;
  const ruleTree = yield* treeSteps(rules, last?.rules, last?.ruleTree, ruleDigestSteps);
  const hostTree = yield* treeSteps(hosts, last?.hosts, last?.hostTree, hostDigestSteps);
  last = { rules, hosts, ruleTree, hostTree };
  const head = JSON.stringify({ gateways, listenerPorts, rules: rules.length, hosts: hosts.length, accessLog });
  return createHash('sha256').update(head).update(ruleTree).update(hostTree).digest('hex');
}

/**
 * The digests of `items` end to end: outside the range that differs from `before` (changed-range.ts), the
 * bytes of `beforeTree`; inside, each item's digest, remembered by object.
 */
function* treeSteps<T extends object>(
  items: readonly T[],
  before: readonly object[] | undefined,
  beforeTree: Uint8Array | undefined,
  digestSteps: (item: T) => Steps<Buffer>,
): Steps<Uint8Array> {
  const range = changedRange(before, items) ?? { start: 0, beforeEnd: 0, nowEnd: items.length };
  const tree = new Uint8Array(DIGEST_BYTES * items.length);
  if (beforeTree && range.start > 0) tree.set(beforeTree.subarray(0, DIGEST_BYTES * range.start));
  if (beforeTree && range.nowEnd < items.length)
    tree.set(beforeTree.subarray(DIGEST_BYTES * range.beforeEnd), DIGEST_BYTES * range.nowEnd);
  for (let i = range.start; i < range.nowEnd; i++) {
    const item = items[i]!;
    let digest = digests.get(item);
    if (!digest) digests.set(item, (digest = yield* digestSteps(item)));
    tree.set(digest, DIGEST_BYTES * i);
  }
  return tree;
}

/** Characters of rules hashed since the last step. */
let ruleCharsInStep = 0;

function* ruleDigestSteps(rule: VersionedBody['rules'][number]): Steps<Buffer> {
  const text = JSON.stringify(rule);
  ruleCharsInStep += text.length;
  if (ruleCharsInStep >= HASHED_CHARS_PER_STEP) {
    ruleCharsInStep = 0;
    yield;
  }
  return createHash('sha256').update(text).digest();
}

/** sha256 of the host entry's text (its other fields as JSON, then its matches), fed in pieces with a step now and then. */
function* hostDigestSteps(host: VersionedBody['hosts'][number]): Steps<Buffer> {
  const { matches, ...head } = host;
  const hash = createHash('sha256');
  const headText = JSON.stringify(head);
  // `{...head,"matches":[…]}`: the head's text without its closing brace, then the matches.
  hash.update(`${headText.slice(0, -1)}${headText.length > 2 ? ',' : ''}"matches":[`);
  let pending: string[] = [];
  let pendingChars = 0;
  for (let i = 0; i < matches.length; i++) {
    const text = (i ? ',' : '') + matchText(matches[i]!);
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars >= HASHED_CHARS_PER_STEP) {
      flush(hash, pending);
      pending = [];
      pendingChars = 0;
      yield;
    }
  }
  flush(hash, pending);
  return hash.update(']}').digest();
}

function flush(hash: Hash, texts: string[]): void {
  if (texts.length > 0) hash.update(texts.join(''));
}

/** A host entry's match as JSON.stringify writes it, its `match` object's text remembered. */
function matchText({ match, rule }: VersionedBody['hosts'][number]['matches'][number]): string {
  let text = matchTexts.get(match);
  if (text === undefined) matchTexts.set(match, (text = JSON.stringify(match)));
  return `{"match":${text},"rule":${rule}}`;
}
