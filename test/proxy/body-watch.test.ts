// BodyWatch alone, on a simulated clock: which windows are judged, how many bytes a window needs, and that
// it stops for good. The end-to-end behaviour is in body-timeout.test.ts.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { BodyWatch, type BodyWatchListener } from '../../proxy/forward/body-timeout.js';
import { resolveLimits } from '../../proxy/limits.js';

const limits = resolveLimits({ requestBodyTimeoutMs: 1000, requestBodyMinBytesPerSecond: 100 });

class Recorder implements BodyWatchListener {
  tooSlow = 0;
  ended = 0;
  bodyTooSlow(): void {
    this.tooSlow++;
  }
  bodyEnded(): void {
    this.ended++;
  }
}

/** A client body being read (flowing, nothing buffered). */
function flowing(): PassThrough {
  const s = new PassThrough();
  s.on('data', () => undefined);
  return s;
}

describe('BodyWatch', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('needs rate × window bytes in every window it judges (100 B/s × 1 s = 100 bytes)', () => {
    const rec = new Recorder();
    const watch = new BodyWatch(flowing(), limits, rec);
    watch.seen += 100;
    jest.advanceTimersByTime(1000);
    expect(rec.tooSlow).toBe(0);
    watch.seen += 99;
    jest.advanceTimersByTime(1000);
    expect(rec.tooSlow).toBe(1);
    // Stopped for good: no second verdict, no end.
    jest.advanceTimersByTime(5000);
    watch.ended();
    expect(rec).toMatchObject({ tooSlow: 1, ended: 0 });
  });

  it('with a rate of 0, one byte per window is enough (idle timeout)', () => {
    const rec = new Recorder();
    const watch = new BodyWatch(
      flowing(),
      resolveLimits({ requestBodyTimeoutMs: 1000, requestBodyMinBytesPerSecond: 0 }),
      rec,
    );
    for (let i = 0; i < 5; i++) {
      watch.seen += 1;
      jest.advanceTimersByTime(1000);
    }
    expect(rec.tooSlow).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(rec.tooSlow).toBe(1);
  });

  it('does not judge a body nobody reads yet (queued for a connection), nor the first window after', () => {
    const rec = new Recorder();
    const source = new PassThrough();
    new BodyWatch(source, limits, rec);
    jest.advanceTimersByTime(3000);
    expect(rec.tooSlow).toBe(0);
    source.on('data', () => undefined);
    // Reading started within this window: it is not judged either.
    jest.advanceTimersByTime(1000);
    expect(rec.tooSlow).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(rec.tooSlow).toBe(1);
  });

  it('judges the first window once its reader is attached', () => {
    const rec = new Recorder();
    const source = new PassThrough();
    const watch = new BodyWatch(source, limits, rec);
    source.on('data', () => undefined);
    watch.readerAttached();
    jest.advanceTimersByTime(1000);
    expect(rec.tooSlow).toBe(1);
  });

  it('does not judge a body the proxy holds back (paused, bytes buffered)', () => {
    const rec = new Recorder();
    const source = flowing();
    new BodyWatch(source, limits, rec);
    source.pause();
    source.write('waiting for the backend');
    jest.advanceTimersByTime(5000);
    expect(rec.tooSlow).toBe(0);
  });

  it('reports the end once; a stopped watch reports nothing', () => {
    const rec = new Recorder();
    const watch = new BodyWatch(flowing(), limits, rec);
    watch.ended();
    watch.ended();
    expect(rec.ended).toBe(1);
    const stopped = new BodyWatch(flowing(), limits, rec);
    expect(stopped.stop()).toBe(true);
    stopped.ended();
    jest.advanceTimersByTime(5000);
    expect(rec).toMatchObject({ tooSlow: 0, ended: 1 });
  });

  it('an unjudged watch (gRPC) only counts and reports the end', () => {
    const rec = new Recorder();
    const watch = new BodyWatch(flowing(), limits, rec, false);
    jest.advanceTimersByTime(10_000);
    watch.ended();
    expect(rec).toMatchObject({ tooSlow: 0, ended: 1 });
  });
});
