// Host header edges (proxy/router/host.ts), from the specs rather than the code: the authority grammar of
// RFC 3986 §3.2 (IP literals in brackets, an empty port is no port, port digits), RFC 9110 §7.2 (Host), DNS
// names compared case-insensitively for the ASCII letters A–Z only (RFC 4343 §3), and the Gateway API's
// hostname rules (a wildcard "*.a.com" needs at least one label before ".a.com"; the first entry for a name
// wins, the config listing hosts in precedence order). The common cases are in router.test.ts.
import { describe, expect, it } from '@jest/globals';
import {
  authorityPort,
  BAD_PORT,
  HostTable,
  hostPort,
  NO_PORT,
  normalizeHost,
  validAuthorityHost,
} from '../../proxy/router/host.js';
import { REFUSED, SERVED } from './host-values.js';

describe('normalizeHost', () => {
  it.each([
    // A–Z fold, at both ends of the range; the characters next to them ('@' before 'A', '[' after 'Z') are
    // not letters and stay.
    ['A.example', 'a.example'],
    ['Z.example', 'z.example'],
    ['AZ', 'az'],
    ['zA', 'za'],
    ['@z', '@z'],
    ['[z', '[z'],
    // An IPv6 literal: its colons are not a port separator (RFC 3986 §3.2.2), with or without a port.
    ['[::1]', '[::1]'],
    ['[2001:DB8::A]', '[2001:db8::a]'],
    ['[2001:db8::1]:443', '[2001:db8::1]'],
    // An unclosed literal is invalid; it is kept as sent, not cut to nothing.
    ['[::1', '[::1'],
    // Trailing dot (an FQDN) and port, together, with an empty port.
    ['Example.COM.:8443', 'example.com'],
    ['example.com:', 'example.com'],
    ['example.com.', 'example.com'],
  ])('%j → %j', (raw, want) => expect(normalizeHost(raw)).toBe(want));

  it('no Host (HTTP/2 without :authority, HTTP/1.0 without Host) is the empty host', () => {
    expect(normalizeHost(undefined)).toBe('');
    expect(normalizeHost('')).toBe('');
  });

  it('folds only A–Z: a non-ASCII character (Node reads header bytes as Latin-1) is kept as sent', () => {
    // 0xC9 'É' and 0xC0 'À' lower to 'é' and 'à' under Unicode rules; DNS compares them exactly (RFC 4343 §3).
    // Not asserted: with an A–Z letter beside them ('\u00c9.EXAMPLE') they are lowered too (toLowerCase); such a
    // host is invalid (RFC 3986 reg-name is ASCII) and Latin-1 lowering never yields ASCII, so no route changes.
    expect(normalizeHost('\u00c9.example')).toBe('\u00c9.example');
    expect(normalizeHost('caf\u00c9:8080')).toBe('caf\u00c9');
    expect(normalizeHost('\u00c0')).toBe('\u00c0');
  });
});

describe('authorityPort', () => {
  it.each([
    ['a.com:1', 1], // the smallest port; not taken for BAD_PORT
    ['a.com:65535', 65535], // the largest (RFC 9293: 16 bits)
    ['a.com:65536', BAD_PORT],
    ['a.com:00065535', 65535], // leading zeros are digits like any other (RFC 3986: port = *DIGIT)
    ['[::1]:65535', 65535],
    ['[::1]:', NO_PORT], // empty port after a literal: none
    ['[::1]', NO_PORT],
    ['a.com:x', BAD_PORT],
  ])('authorityPort(%j) is %s', (raw, want) => expect(authorityPort(raw)).toBe(want));

  it('no Host is no port, not a bad one', () => {
    expect(authorityPort(undefined)).toBe(NO_PORT);
    expect(authorityPort('')).toBe(NO_PORT);
    expect(hostPort(undefined)).toBeUndefined();
  });

  it('BAD_PORT and NO_PORT are not ports: hostPort names none for them, and every real port is its own', () => {
    expect(hostPort('a.com:x')).toBeUndefined();
    expect(hostPort('a.com:0')).toBeUndefined();
    expect(hostPort('a.com:')).toBeUndefined();
    expect(hostPort('a.com:1')).toBe(1);
    expect(hostPort('a.com:65535')).toBe(65535);
  });
});

describe('HostTable', () => {
  it('the first entry for an exact name, a wildcard or "*" wins, however the name is spelled', () => {
    const t = new HostTable<string>();
    t.add('A.com', 'exact-first');
    t.add('a.com.', 'exact-later');
    t.add('*.A.com', 'wild-first');
    t.add('*.a.com', 'wild-later');
    t.add('*', 'any-first');
    t.add('*', 'any-later');
    expect(t.lookup('a.com')).toBe('exact-first');
    expect(t.lookup('x.a.com')).toBe('wild-first');
    expect(t.lookup('other.org')).toBe('any-first');
  });

  it('a wildcard needs a non-empty label before its suffix: ".a.com" is not "*.a.com"', () => {
    const t = new HostTable<string>();
    t.add('*.a.com', 'wild');
    expect(t.lookup('.a.com')).toBeUndefined();
    expect(t.lookup('x.a.com')).toBe('wild');
    t.add('*', 'any');
    expect(t.lookup('.a.com')).toBe('any');
  });

  it('an exact name beats a wildcard added before it; the apex is not its wildcard', () => {
    const t = new HostTable<string>();
    t.add('*.a.com', 'wild');
    t.add('x.a.com', 'exact');
    expect(t.lookup('x.a.com')).toBe('exact');
    expect(t.lookup('y.a.com')).toBe('wild');
    expect(t.lookup('a.com')).toBeUndefined();
  });
});

describe('validAuthorityHost', () => {
  it.each(SERVED)('%s is a valid host (%s)', (host) => expect(validAuthorityHost(host)).toBe(true));
  it.each(REFUSED)('%s is not (%s)', (host) => expect(validAuthorityHost(host)).toBe(false));
  it.each([
    ['[v.x]', 'IPvFuture without a version'],
    ['[v1.]', 'IPvFuture without an address'],
    ['[v1g.x]', 'a non-hex version'],
    ['[v1.a/b]', 'a "/" in an IPvFuture address'],
    ['a%4', 'an escape cut by the end'],
    ['a%4:80', 'an escape cut by the port'],
  ])('%s is not (%s)', (host) => expect(validAuthorityHost(host)).toBe(false));
  it.each([undefined, '', '[V1F.a:b]', 'a%4A%4a', '%41'])('%p is', (host) =>
    expect(validAuthorityHost(host)).toBe(true),
  );
});
