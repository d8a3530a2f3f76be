// A pino logger whose lines are kept as parsed JSON, for tests that assert on what was logged.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export function capturingLogger(level = 'info'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
