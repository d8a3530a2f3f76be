// When is a manifest file that just changed safe to apply? Files are read the moment an event names them,
// so a change is served in milliseconds; but a writer may be halfway (truncated, first chunk written), and a
// half-written file must never be applied as the deletion of its objects. A read is applied at once only
// when it cannot be a partial write: the file did not move while it was read, it parses, it ends with a
// newline (JSON: it parses at all), and it still holds every object it held before. Any other read (a parse
// error, a file that shrank or vanished) is applied only once the file has stayed the same for `settleMs`;
// a new event in the meantime starts the judgement again. Only regular files are read, never blocking and
// up to a size limit (read-bounded.ts); anything else is skipped at once, keeping what the file held.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { ManifestError } from './manifests.js';
import type { K8sObject } from '../core/types.js';
import { DEFAULT_MAX_MANIFEST_BYTES, readBounded, type BoundedRead } from './read-bounded.js';
import type { BigIntStats } from 'node:fs';

export interface SettleHandlers {
  /** Parses a file's text (rejects with ManifestError when it does not parse). */
  parse(text: string, file: string): Promise<K8sObject[]>;
  /** True when `objects` lacks an object the file held when last applied. */
  drops(file: string, objects: K8sObject[]): boolean;
  /** The file's objects now ([] when it is gone or empty). */
  apply(file: string, objects: K8sObject[]): void;
  /** The file does not parse (or cannot be read) and has stayed so: its previous objects stay in force. */
  fail(file: string, message: string): void;
  /** The file is not a regular file or is over the size limit: not read; its previous objects stay in force. */
  skip(file: string, reason: string): void;
}

export interface SettleTiming {
  /** How long a doubtful read must stay unchanged before it is applied (default 50 ms, as chokidar's awaitWriteFinish was). */
  settleMs?: number;
  /** Pause before reading again a file that changed while it was read (default 5 ms). */
  retryMs?: number;
}

type Read =
  | { kind: 'moving' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'gone'; stamp: string }
  | { kind: 'text'; text: string; stamp: string }
  | { kind: 'error'; message: string; stamp: string };
type Outcome = { ok: true; objects: K8sObject[]; safe: boolean } | { ok: false; message: string };

interface FileState {
  running: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
  /** Stamp of the doubtful read waiting to settle, and whether it has stayed unchanged for settleMs. */
  doubtful?: string;
  settled: boolean;
}

export class FileSettler {
  private readonly states = new Map<string, FileState>();
  private readonly settleMs: number;
  private readonly retryMs: number;
  private closed = false;

  constructor(
    private readonly handlers: SettleHandlers,
    timing: SettleTiming = {},
    private readonly maxFileBytes = DEFAULT_MAX_MANIFEST_BYTES,
  ) {
    this.settleMs = timing.settleMs ?? 50;
    this.retryMs = timing.retryMs ?? 5;
  }

  /** An event named this file: read it now (or again, right after the read in progress). */
  changed(file: string): void {
    const s = this.stateOf(file);
    clearTimeout(s.timer);
    s.timer = undefined;
    s.settled = false;
    this.kick(file, s);
  }

  /** True while a file is being read or waits to settle. */
  get busy(): boolean {
    return this.states.size > 0;
  }

  close(): void {
    this.closed = true;
    for (const s of this.states.values()) clearTimeout(s.timer);
    this.states.clear();
  }

  private stateOf(file: string): FileState {
    let s = this.states.get(file);
    if (!s) this.states.set(file, (s = { running: false, again: false, settled: false }));
    return s;
  }

  private kick(file: string, s: FileState): void {
    if (s.running) {
      s.again = true;
      return;
    }
    void this.run(file, s);
  }

  private async run(file: string, s: FileState): Promise<void> {
    s.running = true;
    try {
      do {
        s.again = false;
        clearTimeout(s.timer);
        s.timer = undefined;
        await this.readOnce(file, s);
      } while (s.again && !this.closed);
    } catch (err) {
      this.handlers.fail(file, `${file}: ${(err as Error).message}`);
    } finally {
      s.running = false;
      if (s.timer === undefined && this.states.get(file) === s) this.states.delete(file);
    }
  }

  private async readOnce(file: string, s: FileState): Promise<void> {
    const read = await readStable(file, this.maxFileBytes);
    if (this.closed) return;
    if (read.kind === 'moving') return this.later(file, s, this.retryMs, false);
    if (read.kind === 'skipped') return this.handlers.skip(file, read.reason);
    const outcome = await this.judge(file, read);
    if (this.closed) return;
    if (outcome.ok && outcome.safe) return this.deliver(file, s, outcome);
    if (s.settled && s.doubtful === read.stamp) return this.deliver(file, s, outcome);
    s.doubtful = read.stamp;
    s.settled = false;
    this.later(file, s, this.settleMs, true);
  }

  private async judge(file: string, read: Exclude<Read, { kind: 'moving' | 'skipped' }>): Promise<Outcome> {
    if (read.kind === 'error') return { ok: false, message: read.message };
    const objects = read.kind === 'gone' ? [] : undefined;
    try {
      const parsed = objects ?? (await this.handlers.parse(read.kind === 'text' ? read.text : '', file));
      const complete =
        read.kind === 'gone' || read.text === '' || read.text.endsWith('\n') || extname(file).toLowerCase() === '.json';
      return { ok: true, objects: parsed, safe: complete && !this.handlers.drops(file, parsed) };
    } catch (err) {
      return { ok: false, message: err instanceof ManifestError ? err.message : `${file}: ${(err as Error).message}` };
    }
  }

  private deliver(file: string, s: FileState, outcome: Outcome): void {
    s.doubtful = undefined;
    s.settled = false;
    if (outcome.ok) this.handlers.apply(file, outcome.objects);
    else this.handlers.fail(file, outcome.message);
  }

  private later(file: string, s: FileState, ms: number, settles: boolean): void {
    s.timer = setTimeout(() => {
      s.timer = undefined;
      if (this.closed) return;
      s.settled = settles;
      this.kick(file, s);
    }, ms);
  }
}

/**
 * Reads a file, reporting 'moving' when it changed while being read: the fstat of what was opened (taken
 * before the read) against a stat of the path after it. Five round trips through libuv's thread pool (open,
 * fstat, read, close, stat), where a stat before the open and a last empty read made seven: each is ~0.2 ms
 * of a change's way to being served on a busy 2-core machine.
 */
async function readStable(file: string, maxBytes: number): Promise<Read> {
  let read: BoundedRead;
  try {
    read = await readBounded(file, maxBytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone', stamp: 'gone' };
    const now = await stamp(file).catch(() => undefined);
    return { kind: 'error', message: `${file}: ${(err as Error).message}`, stamp: now ?? 'unreadable' };
  }
  if (read.kind === 'skipped') return read;
  const before = stampOf(read.info);
  return (await stamp(file)) === before ? { kind: 'text', text: read.text, stamp: before } : { kind: 'moving' };
}

async function stamp(file: string): Promise<string | undefined> {
  try {
    return stampOf(await stat(file, { bigint: true }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw err;
  }
}

const stampOf = (s: BigIntStats) => `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
