// Reading a manifest file without trusting what sits at its path. readFile() on a FIFO blocks a libuv
// thread until a writer appears (four of them stall every fs call of the process: hot reload stops,
// silently), and on /dev/zero it allocates until Node's size limit. So: open with O_NONBLOCK (a FIFO opens
// at once), fstat the descriptor — what was opened, not what the path pointed to a moment earlier — and
// read only a regular file, at most `maxBytes` of it. Symlinks are followed: a link to a regular file (a
// ConfigMap volume) is read like the file itself.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';

export const DEFAULT_MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** `info` is the fstat of what was read (taken before reading). */
export type BoundedRead = { kind: 'text'; text: string; info: BigIntStats } | { kind: 'skipped'; reason: string };

/** A file the source will not read (not regular, too big); the message names it and says why. */
export class SkippedFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'SkippedFileError';
  }
}

/** Reads a regular file up to maxBytes; rejects with the fs error (ENOENT, EACCES, …) when it cannot open it. */
export async function readBounded(file: string, maxBytes: number): Promise<BoundedRead> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    // A Unix socket cannot be opened at all.
    if (err.code === 'ENXIO') return undefined;
    throw err;
  });
  if (handle === undefined) return { kind: 'skipped', reason: 'not a regular file (socket)' };
  try {
    const info = await handle.stat({ bigint: true });
    if (!info.isFile()) return { kind: 'skipped', reason: `not a regular file (${fileType(info)})` };
    if (info.size > maxBytes) return overLimit(maxBytes);
    const bytes = await readUpTo(handle, maxBytes + 1, Number(info.size));
    // The file may have grown since fstat.
    if (bytes.length > maxBytes) return overLimit(maxBytes);
    return { kind: 'text', text: bytes.toString('utf8'), info };
  } finally {
    await handle.close();
  }
}

/** readBounded() that throws SkippedFileError for a skipped file (one-shot callers such as render). */
export async function readManifestText(file: string, maxBytes = DEFAULT_MAX_MANIFEST_BYTES): Promise<string> {
  const read = await readBounded(file, maxBytes);
  if (read.kind === 'skipped') throw new SkippedFileError(file, read.reason);
  return read.text;
}

function overLimit(maxBytes: number): BoundedRead {
  return { kind: 'skipped', reason: `over the ${maxBytes}-byte limit for a manifest file` };
}

/**
 * Reads until end of file or `limit` bytes. The first read asks for one byte more than fstat's size: a read
 * that returns less has met the end, so a file that did not grow takes one read, not a second one that
 * returns 0 (each read is a round trip through libuv's thread pool, ~0.2 ms on a busy 2-core machine).
 */
async function readUpTo(handle: FileHandle, limit: number, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let ask = Math.min(size + 1, limit);
  while (total < limit) {
    const chunk = Buffer.allocUnsafe(ask);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (bytesRead < ask) break;
    ask = Math.min(64 * 1024, limit - total);
  }
  return Buffer.concat(chunks, total);
}

function fileType(info: BigIntStats): string {
  if (info.isFIFO()) return 'FIFO';
  if (info.isCharacterDevice()) return 'character device';
  if (info.isBlockDevice()) return 'block device';
  if (info.isSocket()) return 'socket';
  if (info.isDirectory()) return 'directory';
  return 'unknown type';
}
