// The one failure → status map: what each kind of upstream error becomes.
import { describe, expect, it } from '@jest/globals';
import {
  ClientGoneError,
  DeadlineError,
  failureReason,
  grpcStatusFor,
  statusForFailure,
} from '../../proxy/forward/errors.js';
import { BodyTooLargeError } from '../../proxy/forward/body.js';

const coded = (code: string) => Object.assign(new Error(code), { code });

describe('failureReason → status', () => {
  it.each([
    ['per-try deadline', new DeadlineError('backendRequest'), 'timeout', 504],
    ['request deadline', new DeadlineError('request'), 'timeout', 504],
    ['undici connect timeout', coded('UND_ERR_CONNECT_TIMEOUT'), 'timeout', 504],
    ['connection refused', coded('ECONNREFUSED'), 'connect', 502],
    ['connection reset', coded('ECONNRESET'), 'reset', 502],
    ['undici socket error (backend closed mid-response)', coded('UND_ERR_SOCKET'), 'reset', 502],
    ['h2 stream reset by the backend', coded('ERR_HTTP2_STREAM_ERROR'), 'reset', 502],
    ['pool already closed', coded('UND_ERR_CLOSED'), 'closed', 502],
    ['malformed response', coded('HPE_INVALID_CONSTANT'), 'protocol', 502],
    ['client body over the limit', new BodyTooLargeError('x'), 'too_large', 413],
    [
      'abort wrapping a deadline (node:http2 signal)',
      Object.assign(new Error('aborted'), { code: 'ABORT_ERR', cause: new DeadlineError('backendRequest') }),
      'timeout',
      504,
    ],
    ['client went away', new ClientGoneError('gone'), 'aborted', 502],
    ['anything else', new Error('?'), 'other', 502],
  ])('%s', (_name, err, reason, status) => {
    expect(failureReason(err)).toBe(reason);
    expect(statusForFailure(failureReason(err))).toBe(status);
  });
});

describe('gRPC status for proxy answers', () => {
  it.each([
    [404, 12], // UNIMPLEMENTED: no route for the method
    [502, 14], // UNAVAILABLE
    [503, 14],
    [504, 4], // DEADLINE_EXCEEDED
    [413, 8], // RESOURCE_EXHAUSTED
    [500, 13], // INTERNAL
  ])('HTTP %i → %i', (http, grpc) => expect(grpcStatusFor(http)).toBe(grpc));
});
