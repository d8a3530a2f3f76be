// The coordinator's resource record (resource key → actor id) as an immutable value that is cheap to change:
// the keys are spread over BUCKETS buckets by a hash, and a change copies the buckets it touches and the
// bucket list, never the whole record. A sync that adds or removes a resource used to copy every key (at
// 5,000 resources ~1.1 ms and 0.2 MiB a change, at 20,000 ~8.6 ms; test/bench/heap-profile-cli.ts). Plain
// arrays and objects, so a snapshot of the context still prints and compares as data. Pure.

/** A string-keyed record, read through the functions below. */
export interface Keyed<T> {
  readonly buckets: ReadonlyArray<Readonly<Record<string, T>>>;
  readonly size: number;
}

/** Enough that a bucket holds a few dozen keys at 5,000 resources; a change copies 128 slots and one bucket. */
const BUCKETS = 128;

// Buckets have no prototype: any text is a key of its own ("__proto__" too), none is inherited.
const EMPTY_BUCKET: Readonly<Record<string, never>> = Object.freeze(Object.create(null) as Record<string, never>);

export function emptyKeyed<T>(): Keyed<T> {
  return { buckets: new Array<Readonly<Record<string, T>>>(BUCKETS).fill(EMPTY_BUCKET), size: 0 };
}

/** FNV-1a of the key's UTF-16 code units, to a bucket index. */
function bucketOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % BUCKETS;
}

export function keyedGet<T>(record: Keyed<T>, key: string): T | undefined {
  const bucket = record.buckets[bucketOf(key)]!;
  return Object.hasOwn(bucket, key) ? bucket[key] : undefined;
}

/** The record with `set` entries set and `removed` keys removed (in that order); the record itself when neither. */
export function keyedWith<T>(
  record: Keyed<T>,
  set: ReadonlyArray<readonly [string, T]>,
  removed: readonly string[] = [],
): Keyed<T> {
  if (set.length === 0 && removed.length === 0) return record;
  const buckets = record.buckets.slice();
  const copied = new Set<number>();
  let size = record.size;
  const writable = (key: string): Record<string, T> => {
    const at = bucketOf(key);
    if (!copied.has(at)) {
      copied.add(at);
      buckets[at] = Object.assign(Object.create(null) as Record<string, T>, buckets[at]);
    }
    return buckets[at] as Record<string, T>;
  };
  for (const [key, value] of set) {
    const bucket = writable(key);
    if (!Object.hasOwn(bucket, key)) size++;
    bucket[key] = value;
  }
  for (const key of removed) {
    const bucket = writable(key);
    if (!Object.hasOwn(bucket, key)) continue;
    delete bucket[key];
    size--;
  }
  return { buckets, size };
}

/** Every [key, value] (bucket by bucket: no order to rely on). */
export function keyedEntries<T>(record: Keyed<T>): Array<[string, T]> {
  return record.buckets.flatMap((bucket) => Object.entries(bucket));
}

export function keyedValues<T>(record: Keyed<T>): T[] {
  return record.buckets.flatMap((bucket) => Object.values(bucket));
}

export function keyedKeys<T>(record: Keyed<T>): string[] {
  return record.buckets.flatMap((bucket) => Object.keys(bucket));
}

/** A record built from entries (tests, and a context written by hand). */
export function keyedOf<T>(entries: Record<string, T>): Keyed<T> {
  return keyedWith(emptyKeyed<T>(), Object.entries(entries));
}
