// normalizePath and splitAbsoluteForm as pure functions: raw path → normalised path, or the refusal reason.
// The end-to-end table (which rule matched, what the backend saw) is path-normalisation.test.ts.
import { describe, expect, it } from '@jest/globals';
import { normalizePath, normalizeRoutePath, PathRefusal, splitAbsoluteForm } from '../../proxy/router/path.js';

const ENCODED = 'encoded slash or backslash in the path';
const BACKSLASH = 'backslash in the path';
const ESCAPE = 'malformed percent-encoding in the path';
const CHAR = 'invalid character in the path';
const DOT_PARAM = 'dot-segment with a path parameter';

const CASES: Array<[raw: string, normalised: string | { refused: string }]> = [
  ['/', '/'],
  ['/a/b', '/a/b'],
  ['/a/b/', '/a/b/'],
  ['/a/./b', '/a/b'],
  ['/a/b/..', '/a/'],
  ['/a/b/.', '/a/b/'],
  ['/..', '/'],
  ['/../..', '/'],
  ['/a/../../b', '/b'],
  ['//a//b//', '/a/b/'],
  ['/a/%2e%2E/b', '/b'],
  ['/a/%2e/b', '/a/b'],
  ['/%41%7a%30%2d%5f%7e', '/Az0-_~'],
  ['/%39%5a%61', '/9Za'], // the other ends of the unreserved DIGIT and ALPHA ranges (RFC 3986 §2.3)
  ['/%40%5b%60%7b%2F%3a', { refused: ENCODED }],
  ['/%40%5b%60%7b%3a', '/%40%5b%60%7b%3a'], // '@' '[' '`' '{' ':' border the letters and digits: kept escaped
  ['/a%20b%25c%3f%3B', '/a%20b%25c%3f%3B'],
  ['/.well-known/x', '/.well-known/x'],
  ['/a..b/..c/c..', '/a..b/..c/c..'],
  ['/a/%2f/b', { refused: ENCODED }],
  ['/a/%5C/b', { refused: ENCODED }],
  ['/a\\b', { refused: BACKSLASH }],
  ['/a%', { refused: ESCAPE }],
  ['/a%4', { refused: ESCAPE }],
  ['/a%g0', { refused: ESCAPE }],
  ['/a b', { refused: CHAR }],
  ['/a\tb', { refused: CHAR }],
  ['/a#b', { refused: CHAR }],
  ['/a/..;/b', { refused: DOT_PARAM }],
  ['/a/.;x/b', { refused: DOT_PARAM }],
  ['/a/%2e%2e;/b', { refused: DOT_PARAM }],
  ['/a/..;x/b', { refused: DOT_PARAM }], // a parameter after "..": not a plain ".." nor a ".;" segment
  ['/a\x7fb', { refused: CHAR }], // DEL, the one control character above the space
  ['//', '/'], // nothing but a "//": still merged
  ['/a%0Ab', '/a%0Ab'], // an escape whose first digit is 0: valid, kept escaped (not unreserved)
  ['/a%21b', '/a%21b'], // a sub-delim escaped: kept as written
];

describe('normalizePath', () => {
  it.each(CASES)('%s', (raw, expected) => {
    const got = normalizePath(raw);
    if (typeof expected === 'string') expect(got).toBe(expected);
    else expect(got instanceof PathRefusal ? { refused: got.reason } : got).toEqual(expected);
  });

  it('returns a path that needs no work unchanged (the same string, no copy)', () => {
    const raw = '/api/v1/users/42';
    expect(normalizePath(raw)).toBe(raw);
  });
});

describe('splitAbsoluteForm', () => {
  it.each([
    ['http://a.example/x?y', { authority: 'a.example', rest: '/x?y', defaultPort: 80 }],
    ['HTTPS://A.example:8443', { authority: 'A.example:8443', rest: '/', defaultPort: 443 }],
    ['http://a.example?q', { authority: 'a.example', rest: '/?q', defaultPort: 80 }],
    ['http://u@a.example/x', { authority: 'u@a.example', rest: '/x', defaultPort: 80 }],
    ['/x', undefined],
    ['*', undefined],
    ['ftp://a/x', undefined],
    ['xhttp://a/x', undefined], // the scheme must start the target
  ])('%s', (target, expected) => {
    expect(splitAbsoluteForm(target)).toEqual(expected);
  });
});

describe('normalizeRoutePath', () => {
  it.each([
    ['/%7Euser/./a', '/~user/a'], // a route value written with escapes or dot-segments matches the normalised request path
    ['/a//b/', '/a/b/'],
    ['a/../b', 'a/../b'], // not a path (no leading "/"): left as written
    ['/a/%2F/b', '/a/%2F/b'], // a path requests can never have (refused): left as written, never matches
    ['/a b', '/a b'],
  ])('%j → %j', (value, want) => expect(normalizeRoutePath(value)).toBe(want));
});
