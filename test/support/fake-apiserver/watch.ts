// Watch streams: newline-delimited JSON events over a chunked 200 response, resuming from a resourceVersion
// (replaying history), BOOKMARK events when the client allows them, 410 Gone (as an ERROR event, like the
// API server) when the resourceVersion was compacted, and selector transitions (an object that stops
// matching is sent as DELETED, one that starts matching as ADDED).
import type { ServerResponse } from 'node:http';
import { groupVersion, type ResourceType } from './resources.js';
import type { Obj, Store, StoreEvent } from './store.js';
import type { Selector } from './selectors.js';
import { ApiError } from './errors.js';

export interface WatchRequest {
  resource: ResourceType;
  version: string;
  namespace?: string;
  select: Selector;
  resourceVersion: string;
  bookmarks: boolean;
  timeoutSeconds?: number;
}

interface Watcher {
  res: ServerResponse;
  req: WatchRequest;
  close(graceful: boolean): void;
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly store: Store) {}

  get count(): number {
    return this.watchers.size;
  }

  open(res: ServerResponse, req: WatchRequest): void {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache',
    });
    res.flushHeaders();
    const send = (type: string, object: Obj) => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    let backlog: StoreEvent[];
    try {
      backlog = this.backlog(req);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      send('ERROR', err.toStatus());
      res.end();
      return;
    }
    for (const e of backlog) this.deliver(send, req, e);
    const unsubscribe = this.store.subscribe((e) => this.deliver(send, req, e));
    const timer = req.timeoutSeconds ? setTimeout(() => watcher.close(true), req.timeoutSeconds * 1000) : undefined;
    const watcher: Watcher = {
      res,
      req,
      close: (graceful) => {
        unsubscribe();
        if (graceful) res.end();
        else res.socket?.destroy();
      },
    };
    this.watchers.add(watcher);
    res.on('close', () => {
      unsubscribe();
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }

  /** Sends a BOOKMARK at the current revision to every watch that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.req.bookmarks || w.res.writableEnded) continue;
      const object = {
        kind: w.req.resource.kind,
        apiVersion: groupVersion(w.req.resource.group, w.req.version),
        metadata: { resourceVersion: String(this.store.rv) },
      };
      w.res.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
    }
  }

  /** Ends every watch: gracefully (like a server-side timeout) or by resetting the connection. */
  dropAll(graceful = false): void {
    for (const w of [...this.watchers]) w.close(graceful);
  }

  private backlog(req: WatchRequest): StoreEvent[] {
    const rv = req.resourceVersion;
    if (rv === '' || rv === '0') {
      return this.store
        .list(req.resource, req.namespace)
        .map((object) => ({ rv: this.store.rv, type: 'ADDED', resource: req.resource, object }));
    }
    const from = Number(rv);
    if (!Number.isInteger(from)) throw new ApiError(400, 'BadRequest', `invalid resource version: ${rv}`);
    return this.store.eventsSince(req.resource, from);
  }

  private deliver(send: (type: string, o: Obj) => void, req: WatchRequest, e: StoreEvent): void {
    if (e.resource !== req.resource) return;
    if (req.namespace && e.object.metadata.namespace !== req.namespace) return;
    const now = req.select(e.object);
    const before = e.type === 'MODIFIED' && e.old ? req.select(e.old) : now;
    const object = { ...e.object, apiVersion: groupVersion(req.resource.group, req.version) };
    if (e.type === 'MODIFIED' && before !== now) send(now ? 'ADDED' : 'DELETED', object);
    else if (now) send(e.type, object);
  }
}
