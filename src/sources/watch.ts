// Watches a folder tree (or one file) with one fs.watch per directory and reports every path an event
// names, at once. Deliberately thin: what a path now holds is for the caller to read (files.ts decides when a
// file is complete). chokidar was used before; its 5 ms/50 ms throttles drop the trailing event of a quick
// truncate-then-write, so it needed awaitWriteFinish (50 ms of stat polling per change), and every event in a
// directory re-listed the whole directory with a stat per file.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';

export interface TreeWatcher {
  /** Starts watching a directory found later (and every directory below it); resolves when in place. */
  addDirectory(dir: string): Promise<void>;
  /** Stops watching a directory that is gone (and everything below it). */
  removeDirectory(dir: string): void;
  close(): void;
}

export interface TreeWatchHandlers {
  /** A path under the root changed, appeared or disappeared (a file or a directory). */
  onPath(path: string): void;
  onError(err: Error): void;
}

/** Watches `root`: a directory (recursively) or a single file (through its directory). */
export async function watchTree(root: string, handlers: TreeWatchHandlers): Promise<TreeWatcher> {
  const watchers = new Map<string, FSWatcher>();
  const rootIsFile = (await stat(root)).isFile();

  function stopUnder(dir: string): void {
    for (const [path, w] of watchers) {
      if (path === dir || path.startsWith(dir + sep)) {
        w.close();
        watchers.delete(path);
      }
    }
  }

  function watchOne(dir: string, only?: string): void {
    if (watchers.has(dir)) return;
    const w = watch(dir, { persistent: false }, (_event, name) => {
      if (only !== undefined) {
        if (name === null || name.toString() === only) handlers.onPath(join(dir, only));
        return;
      }
      // No name (some platforms, or an overflow): the caller re-reads the whole directory.
      handlers.onPath(name === null ? dir : join(dir, name.toString()));
    });
    w.on('error', (err) => {
      // A directory that was removed ends its watcher; the parent's event reports the removal.
      stopUnder(dir);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'EPERM')
        handlers.onError(err);
    });
    watchers.set(dir, w);
  }

  async function addDirectory(dir: string): Promise<void> {
    watchOne(dir);
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries)
      if (e.isDirectory()) watchOne(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  }

  if (rootIsFile) watchOne(dirname(root), basename(root));
  else await addDirectory(root);
  return {
    addDirectory,
    removeDirectory: stopUnder,
    close() {
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
