// A burst of file writes from a separate process, as an external writer (an editor, a git checkout, a CI
// job) would make it: the measured system's work cannot delay the writes themselves, which it would if the
// bench's own event loop wrote them while it also hosts the control plane (the in-process bench).
import { spawn } from 'node:child_process';

// Writes the files it reads from stdin ({ dir, batches: [[name, content][]], spacingMs }) batch by batch and
// prints when the first and the last write happened (epoch ms).
const BURST_WRITER = `
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', () => {
  const { dir, batches, spacingMs } = JSON.parse(input);
  const now = () => performance.timeOrigin + performance.now();
  const first = now();
  let last = first;
  batches.forEach((batch, b) => setTimeout(() => {
    for (const [name, content] of batch) writeFileSync(join(dir, name), content);
    last = now();
    if (b === batches.length - 1) process.stdout.write(JSON.stringify({ first, last }));
  }, b * spacingMs));
});`;

/** When the burst's first and last writes happened, as performance.now() of this process. */
export interface BurstWritten {
  first: number;
  last: number;
}

/** Writes `files` (name → content) into `dir` in `batches` equal batches `spacingMs` apart. */
export function writeBurst(
  dir: string,
  files: Array<[string, string]>,
  batches: number,
  spacingMs: number,
): Promise<BurstWritten> {
  const perBatch = Math.ceil(files.length / batches);
  const split = Array.from({ length: batches }, (_, b) => files.slice(b * perBatch, (b + 1) * perBatch));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', BURST_WRITER], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`burst writer exited with ${code}`));
      const epoch = JSON.parse(out) as BurstWritten;
      resolve({ first: epoch.first - performance.timeOrigin, last: epoch.last - performance.timeOrigin });
    });
    child.stdin.end(JSON.stringify({ dir, batches: split, spacingMs }));
  });
}
