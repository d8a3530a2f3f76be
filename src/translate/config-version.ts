// The proxy config's version: a content hash, the same for the same config whatever objects hold it, and
// different when any part differs. A hash tree, two levels deep: sha256 over the config's head (Gateways,
// listener ports, the access log switch, the counts), then the digest of each chunk of 64 rules and of 64
// host entries, in order; a chunk's digest is the sha256 of its items' digests, each the sha256 of the
// item's JSON text. Rules and host entries are never changed once built, and unchanged routes
// keep theirs across translations (memo.ts, proxyconfig.ts), so a change hashes only the entries it made, the
// chunks they are in and the chunk digests (hashing the whole JSON text, 1.7 MiB at 5,000 routes, cost ~5 ms a
// change; a digest per entry hashed end to end, ~0.7 ms after idle: Tree below).
// A host entry new to the build is hashed in pieces (one may hold tens of thousands of matches), between
// which the control plane may yield (standalone serves meanwhile).
import { createHash, type Hash } from 'node:crypto';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import { changedRange, type ChangedRange } from '../core/changed-range.js';
import type { Steps } from '../core/steps.js';

type VersionedBody = Omit<ProxyConfigInput, 'version'>;

const DIGEST_BYTES = 32;

/** sha256 of the JSON text of each rule and host entry, by object. */
const digests = new WeakMap<object, Buffer>();

/** JSON texts of matches by object: a host entry rebuilt around unchanged matches reuses their text. */
const matchTexts = new WeakMap<object, string>();

/** Characters hashed between two points where hashing may yield. */
const HASHED_CHARS_PER_STEP = 1 << 16;

/** Items per chunk of the tree's middle level: a chunk's digests are 2 KiB, one memory page at most. */
export const CHUNK_ITEMS = 64;

/**
 * A list's digests end to end (32 bytes per item; the buffer may be longer: room to grow) and the digest of
 * each chunk of CHUNK_ITEMS of them. Both are updated in place when a change keeps every other item where it
 * was (an item replaced, items added or removed at the end): the config's hash then reads the chunk digests
 * (2.5 KiB at 5,000 rules) and the one chunk that changed, not 32 bytes of every rule. Copied afresh per change,
 * the 160 KiB of rule digests were ~80 memory pages a change touched: ~0.7 ms after idle at 5,000 routes.
 */
interface Tree {
  items: readonly object[];
  digests: Uint8Array;
  chunks: Uint8Array;
}

/** The last build's trees: the next build starts from them (and may change their buffers). */
let last: { rules: Tree; hosts: Tree } | undefined;

export function* configVersionSteps(body: VersionedBody): Steps<string> {
  const { gateways, listenerPorts, rules, hosts, accessLog } = body;
  const before = last;
  // Where each list differs from the last build's: the digests to compute, then the part of the tree to write.
  const ruleRange = changedRange(before?.rules.items, rules);
  const hostRange = changedRange(before?.hosts.items, hosts);
  yield* digestsSteps(rules, ruleRange, ruleDigestSteps);
  yield* digestsSteps(hosts, hostRange, hostDigestSteps);
  // No yield from here on: the trees' buffers change in place. Another build may have run meanwhile (a
  // caller that drops a build half-way and starts another): then `before` is not what the buffers hold.
  last =
    last === before && before
      ? { rules: treeOf(rules, before.rules, ruleRange), hosts: treeOf(hosts, before.hosts, hostRange) }
      : { rules: rebuilt(rules, undefined, 0), hosts: rebuilt(hosts, undefined, 0) };
  const head = JSON.stringify({ gateways, listenerPorts, rules: rules.length, hosts: hosts.length, accessLog });
  return createHash('sha256')
    .update(head)
    .update(chunkDigests(last.rules))
    .update(chunkDigests(last.hosts))
    .digest('hex');
}

/** Every item's digest remembered (by object): those in `range` (all without one) computed now. */
function* digestsSteps<T extends object>(
  items: readonly T[],
  range: ChangedRange | undefined,
  digestSteps: (item: T) => Steps<Buffer>,
): Steps<void> {
  const { start, nowEnd } = range ?? { start: 0, nowEnd: items.length };
  for (let i = start; i < nowEnd; i++) {
    const item = items[i]!;
    if (!digests.has(item)) digests.set(item, yield* digestSteps(item));
  }
}

const chunkCount = (items: number) => Math.ceil(items / CHUNK_ITEMS);
const chunkDigests = (tree: Tree) => tree.chunks.subarray(0, DIGEST_BYTES * chunkCount(tree.items.length));

/**
 * The tree of `items` (every digest remembered) from `before`'s, `range` being where they differ (none: too
 * much to start from it): in place when it can.
 */
function treeOf(items: readonly object[], before: Tree, range: ChangedRange | undefined): Tree {
  if (!range) return rebuilt(items, undefined, 0);
  const oldLength = before.items.length;
  const shifts = range.nowEnd - range.beforeEnd !== 0 && range.beforeEnd !== oldLength;
  if (shifts) return rebuilt(items, before, range.start);
  const tree = withRoom(before, items);
  for (let i = range.start; i < range.nowEnd; i++) tree.digests.set(digests.get(items[i]!)!, DIGEST_BYTES * i);
  // Dirty: the chunks the range reaches (a range at the end reaches the new end: the last chunk, grown or cut).
  hashChunks(tree, Math.floor(range.start / CHUNK_ITEMS), Math.ceil(range.nowEnd / CHUNK_ITEMS));
  return tree;
}

/** `before`'s buffers holding `items` (a new tree sharing them), grown (doubled) when they are too short. */
function withRoom(before: Tree, items: readonly object[]): Tree {
  const need = DIGEST_BYTES * items.length;
  if (before.digests.length >= need) return { items, digests: before.digests, chunks: before.chunks };
  const digestsRoom = new Uint8Array(Math.max(need, 2 * before.digests.length));
  digestsRoom.set(before.digests);
  const chunks = new Uint8Array(DIGEST_BYTES * chunkCount(digestsRoom.length / DIGEST_BYTES));
  chunks.set(before.chunks);
  return { items, digests: digestsRoom, chunks };
}

/** A new tree of `items`: the first `kept` digests (and their whole chunks) copied from `before`, the rest written. */
function rebuilt(items: readonly object[], before: Tree | undefined, kept: number): Tree {
  const tree = {
    items,
    digests: new Uint8Array(DIGEST_BYTES * items.length),
    chunks: new Uint8Array(DIGEST_BYTES * chunkCount(items.length)),
  };
  if (before) {
    tree.digests.set(before.digests.subarray(0, DIGEST_BYTES * kept));
    tree.chunks.set(before.chunks.subarray(0, DIGEST_BYTES * Math.floor(kept / CHUNK_ITEMS)));
  }
  for (let i = kept; i < items.length; i++) tree.digests.set(digests.get(items[i]!)!, DIGEST_BYTES * i);
  hashChunks(tree, Math.floor(kept / CHUNK_ITEMS), chunkCount(items.length));
  return tree;
}

/** The digests of chunks [from, to) of the tree, from its item digests. */
function hashChunks(tree: Tree, from: number, to: number): void {
  const end = DIGEST_BYTES * tree.items.length;
  for (let c = from; c < to; c++) {
    const piece = tree.digests.subarray(
      DIGEST_BYTES * CHUNK_ITEMS * c,
      Math.min(end, DIGEST_BYTES * CHUNK_ITEMS * (c + 1)),
    );
    tree.chunks.set(createHash('sha256').update(piece).digest(), DIGEST_BYTES * c);
  }
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
