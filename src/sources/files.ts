// The file source: every YAML/JSON document under a path (file or folder, recursive), watched for changes.
// It plays the API server's part in standalone mode: it stamps creationTimestamp on first sight, bumps
// metadata.generation when a spec changes, and keeps the status the control plane last wrote.
import { readdir, stat } from 'node:fs/promises';
import { basename, join, extname, relative, sep } from 'node:path';
import { parseManifests, withDefaultNamespace, ManifestError } from './manifests.js';
import { FileDocuments, parseWithCacheSteps } from './doc-cache.js';
import { runInSlices } from '../runtime/slices.js';
import { FileSettler, type SettleTiming } from './settle.js';
import { LiveSnapshot } from './live-snapshot.js';
import { watchTree, type TreeWatcher } from './watch.js';
import { DEFAULT_MAX_MANIFEST_BYTES, readBounded, readManifestText } from './read-bounded.js';
import type { K8sObject, ResourceStatus, Snapshot } from '../core/types.js';
import type { ResourceEvent, SnapshotSource, StatusSink } from '../core/ports.js';
import { silentLogger, type Logger } from '../log.js';
import { copyWith } from '../core/copy.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export function isManifestFile(path: string): boolean {
  return MANIFEST_EXTENSIONS.has(extname(path).toLowerCase());
}

/** Files the source reads: manifests, except hidden ones (editor swap and lock files) or under hidden directories, as when listing. */
function isWatchedFile(root: string, path: string): boolean {
  return isManifestFile(path) && !isHidden(root, path);
}

function isHidden(root: string, path: string): boolean {
  const rel = relative(root, path);
  return (rel === '' ? basename(path) : rel).split(sep).some((part) => part.startsWith('.'));
}

/**
 * Lists manifest files under root (or root itself), sorted so loading order is deterministic. Hidden files
 * and everything under hidden directories are left out (a ConfigMap volume's `..2026_…/` holds the real
 * files its visible symlinks point to). Symlinks and special files are listed: reading decides (it follows
 * links to regular files and skips the rest, saying why).
 */
export async function listManifestFiles(root: string): Promise<string[]> {
  const info = await stat(root);
  if (!info.isDirectory()) return [root];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory() && isManifestFile(e.name))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .filter((file) => !isHidden(root, file))
    .sort();
}

/** Reads and parses every manifest under root; throws ManifestError on the first malformed file. */
export async function loadManifests(root: string): Promise<K8sObject[]> {
  const objects: K8sObject[] = [];
  for (const file of await listManifestFiles(root)) {
    objects.push(...parseManifests(await readManifestText(file), displayPath(file)));
  }
  return objects;
}

/** Paths in messages: relative to the working directory when inside it, else as given. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export function objectKey(obj: K8sObject): string {
  return `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

export interface FileSourceOptions {
  root: string;
  logger?: Logger;
  /** Injected for tests; defaults to the wall clock. */
  now?: () => Date;
  /** How long a doubtful read (a file that vanished, shrank or does not parse) must stay unchanged before it is applied. */
  settle?: SettleTiming;
  /** Largest manifest file read (default 16 MiB); bigger files are skipped and logged. */
  maxFileBytes?: number;
}

/** SnapshotSource over a folder of manifests, plus the StatusSink that stores statuses on its objects. */
export class FileSource implements SnapshotSource, StatusSink {
  private readonly files = new Map<string, K8sObject[]>();
  private readonly current = new Map<string, K8sObject>();
  private readonly statuses = new Map<string, Record<string, unknown>>();
  /** What snapshot() hands out: `current`, each object with its status, kept up to date per change. */
  private readonly live = new LiveSnapshot();
  /** Per file: its documents' text → objects, so a rewrite parses only the documents that changed. */
  private readonly documents = new FileDocuments();
  /** Per file: how many times it was applied (replaceFile), so a slower read of it does not overwrite a newer. */
  private readonly replaced = new Map<string, number>();
  private watcher?: TreeWatcher;
  private settler?: FileSettler;
  private handlers?: Parameters<SnapshotSource['start']>[0];
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly maxFileBytes: number;

  constructor(private readonly options: FileSourceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  }

  /**
   * Reads and parses every manifest file now, applying nothing: start() then finds each unchanged document
   * already parsed. Standalone runs it while its proxy workers start (they take ~1 s to load; the parse of
   * 5,000 routes is ~0.5 s). Never throws: whatever fails here, start() reads again and reports.
   */
  async preload(): Promise<void> {
    const files = await listManifestFiles(this.options.root).catch(() => []);
    for (const file of files) {
      const read = await readBounded(file, this.maxFileBytes).catch(() => undefined);
      if (read?.kind === 'text') await this.parse(read.text, file).catch(() => undefined);
    }
  }

  async start(handlers: Parameters<SnapshotSource['start']>[0]): Promise<void> {
    this.handlers = handlers;
    this.settler = new FileSettler(
      {
        parse: (text, file) => this.parse(text, file),
        drops: (file, objects) => this.drops(file, objects),
        apply: (file, objects) => this.replaceFile(file, objects),
        fail: (file, message) => this.reportUnparsable(file, message),
        skip: (file, reason) => this.reportSkipped(file, reason),
      },
      this.options.settle,
      this.maxFileBytes,
    );
    // Watch first, then list: a file written in between is read twice rather than missed.
    this.watcher = await watchTree(this.options.root, {
      onPath: (path) => void this.pathChanged(path),
      onError: (err) => handlers.onError(err),
    });
    for (const file of await listManifestFiles(this.options.root)) await this.loadFile(file);
    handlers.onSynced();
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    this.settler?.close();
  }

  snapshot(): Snapshot {
    return this.live.snapshot();
  }

  /** The object as served: with the status last written for it (a copy made once per change of either). */
  private refresh(key: string): void {
    const obj = this.current.get(key);
    if (obj === undefined) return;
    const status = this.statuses.get(key);
    this.live.put(key, status ? copyWith(obj, { status }) : obj);
  }

  /** StatusSink: standalone has no API server, so the status lives here and is logged. */
  async write(status: ResourceStatus): Promise<void> {
    const key = `${status.kind}/${status.namespace}/${status.name}`;
    this.statuses.set(key, status.status);
    this.refresh(key);
    if (this.logger.isLevelEnabled('info')) {
      this.logger.info(
        {
          kind: status.kind,
          namespace: status.namespace || undefined,
          name: status.name,
          conditions: summarize(status.status),
        },
        'status',
      );
    }
  }

  /** The status last written for an object, for the admin API and tests. */
  statusOf(kind: string, namespace: string, name: string): Record<string, unknown> | undefined {
    return this.statuses.get(`${kind}/${namespace}/${name}`);
  }

  /** A path an event named: a file to judge, or a directory that appeared, vanished or changed wholesale. */
  private async pathChanged(path: string): Promise<void> {
    // A file already held is read at once, beside the stat that tells a directory: a change to a manifest
    // reaches the settler a thread-pool round trip (~0.2–0.4 ms) sooner.
    const held = this.files.has(path);
    if (held) this.settler?.changed(path);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      // It may be renamed away between stat and watch (kubelet's `..data_tmp`): its removal has its own event.
      await this.watcher?.addDirectory(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') this.handlers?.onError(err);
      });
      for (const file of await listManifestFiles(path).catch(() => []))
        if (isWatchedFile(this.options.root, file)) this.settler?.changed(file);
    } else if (!held && isWatchedFile(this.options.root, path)) {
      this.settler?.changed(path);
    }
    if (info === undefined || info.isDirectory()) {
      // A directory removed or renamed away: the files it held are gone too.
      if (info === undefined) this.watcher?.removeDirectory(path);
      for (const file of this.files.keys()) if (file.startsWith(path + sep)) this.settler?.changed(file);
    }
    // A ConfigMap volume updates by pointing its hidden `..data` link at a new hidden directory: the visible
    // files are symlinks through it and get no event of their own, so every listed file is judged again
    // (unchanged ones cost a read and produce no event).
    if (path !== this.options.root && isHidden(this.options.root, path) && (info === undefined || info.isDirectory())) {
      for (const file of await listManifestFiles(this.options.root).catch(() => [])) this.settler?.changed(file);
    }
  }

  /** Parses a file's text (in slices: megabytes take seconds), reusing its unchanged documents' objects. */
  private async parse(text: string, file: string): Promise<K8sObject[]> {
    const steps = parseWithCacheSteps(text, displayPath(file), this.documents.known(file));
    const { objects, cache, parsed } = await runInSlices(steps);
    this.logger.debug({ file, documents: cache.size, parsed }, 'manifest file parsed');
    const out = objects.map(withDefaultNamespace);
    this.documents.parsed(file, cache, out);
    return out;
  }

  private async loadFile(file: string): Promise<void> {
    const replacedBefore = this.replaced.get(file);
    try {
      const read = await readBounded(file, this.maxFileBytes);
      if (read.kind === 'skipped') return this.reportSkipped(file, read.reason);
      const objects = await this.parse(read.text, file);
      // Applied meanwhile by the settler (an event during the listing), which follows every later change.
      if (this.replaced.get(file) !== replacedBefore) return;
      this.replaceFile(file, objects);
    } catch (err) {
      this.reportUnparsable(file, err instanceof ManifestError ? err.message : `${file}: ${(err as Error).message}`);
    }
  }

  private reportSkipped(file: string, reason: string): void {
    // Not an error of the manifests: the folder holds something that is not a manifest file to read.
    this.logger.warn({ file, reason }, 'manifest file skipped');
  }

  private reportUnparsable(file: string, message: string): void {
    // Nothing is lost: the file's previous objects stay in force until it parses again.
    this.logger.error({ file }, `manifest not applied, keeping the previous version: ${message}`);
    this.handlers?.onError(new Error(message));
  }

  private drops(file: string, next: K8sObject[]): boolean {
    const before = this.files.get(file);
    if (!before?.length) return false;
    const keys = new Set(next.map(objectKey));
    return before.some((o) => !keys.has(objectKey(o)));
  }

  /** Applies a file's new objects as a whole, then tells the handlers: a sync never sees half a file. */
  private replaceFile(file: string, next: K8sObject[]): void {
    this.replaced.set(file, (this.replaced.get(file) ?? 0) + 1);
    const before = new Map((this.files.get(file) ?? []).map((o) => [objectKey(o), o]));
    const after = new Map(next.map((o) => [objectKey(o), o]));
    if (next.length) this.files.set(file, next);
    else this.files.delete(file);
    this.documents.applied(file, next);
    const events: ResourceEvent[] = [];
    for (const [key, obj] of before) {
      if (!after.has(key)) this.remove(key, obj, events);
    }
    // An unchanged document parses to the very same object (doc-cache.ts): nothing to stamp or compare.
    for (const [key, obj] of after) if (before.get(key) !== obj) this.upsert(key, obj, events);
    for (const e of events) this.handlers?.onEvent(e);
  }

  private upsert(key: string, incoming: K8sObject, events: ResourceEvent[]): void {
    const previous = this.current.get(key);
    const obj = this.stamp(incoming, previous);
    if (previous && JSON.stringify(previous) === JSON.stringify(obj)) return;
    this.current.set(key, obj);
    this.refresh(key);
    events.push({ type: 'upsert', kind: obj.kind!, object: obj });
  }

  private remove(key: string, obj: K8sObject, events: ResourceEvent[]): void {
    // Another file may still define the same object; it then stays.
    for (const objects of this.files.values()) {
      const other = objects.find((o) => objectKey(o) === key);
      if (other) return this.upsert(key, other, events);
    }
    const last = this.current.get(key) ?? obj;
    this.current.delete(key);
    this.statuses.delete(key);
    this.live.remove(key);
    events.push({ type: 'delete', kind: last.kind!, object: last });
  }

  /** What the API server would add: creation time on first sight, generation bumped on spec changes. */
  private stamp(obj: K8sObject, previous: K8sObject | undefined): K8sObject {
    const meta = copyWith(obj.metadata, {});
    meta.creationTimestamp ??=
      previous?.metadata.creationTimestamp ??
      this.now()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
    if (obj.metadata.generation === undefined) {
      const prevGen = previous?.metadata.generation ?? 0;
      const specChanged = !previous || JSON.stringify(previous.spec) !== JSON.stringify(obj.spec);
      meta.generation = specChanged ? prevGen + 1 : prevGen;
    }
    return copyWith(obj, { metadata: meta });
  }
}

/** "Accepted=True Programmed=False/Pending" style summary of a status for logs. */
function summarize(status: Record<string, unknown>): string {
  const conds = (status.conditions as Array<{ type: string; status: string; reason: string }> | undefined) ?? [];
  type Entry = { conditions?: typeof conds };
  // Routes' parents and policies' ancestors.
  const entries = [
    ...((status.parents as Entry[] | undefined) ?? []),
    ...((status.ancestors as Entry[] | undefined) ?? []),
  ];
  const all = [...conds, ...entries.flatMap((p) => p.conditions ?? [])];
  return all.map((c) => `${c.type}=${c.status}${c.status === 'True' ? '' : `/${c.reason}`}`).join(' ');
}
