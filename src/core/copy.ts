// A shallow copy with some properties set, for objects kept per route (statuses, served objects, memo entries).
// Not `{ ...base, ...extra }`: on Node 20 (V8 11.3) an object spread whose site has seen more than four
// shapes (megamorphic) gives every copy a hidden class of its own. A heap snapshot of standalone at 5,000
// routes held ~44,000 such classes (conditions, parents entries, served objects, metadata, memo entries):
// memory for each class and its descriptors, and every reader of those objects megamorphic in turn.
// Object.assign onto `{}` follows the shared transitions (heap snapshots: docs/performance.md, ninth session).

/** `{ ...base, ...extra }`, with copies of same-shaped objects sharing their hidden class. */
export function copyWith<T extends object, E extends object>(base: T, extra: E): T & E {
  return Object.assign({}, base, extra);
}
