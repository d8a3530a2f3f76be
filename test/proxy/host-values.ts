// Host header values (RFC 9110 §7.2, RFC 3986 §3.2.2) with why each is valid or not: the router's unit
// table (host.test.ts) and the requests through a real proxy (host-validation.test.ts) read the same rows.
export const SERVED: [string, string][] = [
  ['a.com', 'a name'],
  ['A.Example.COM.:8080', 'mixed case, trailing dot, port'],
  ['a.com:', 'an empty port (RFC 3986: none)'],
  ['a-b_c~d.com', 'unreserved characters'],
  ["x!$&'()*+,;=.com", 'sub-delims, which reg-name allows'],
  ['a%2Db.com', 'a percent-encoded octet'],
  ['127.0.0.1:80', 'an IPv4 address with port'],
  ['[::1]', 'an IPv6 literal'],
  ['[::1]:', 'an IPv6 literal and an empty port'],
  ['[::ffff:127.0.0.1]:80', 'an IPv6 literal with an embedded IPv4 address and a port'],
  ['[v1.fe80::a+en1]', 'an IPvFuture literal'],
];

export const REFUSED: [string, string][] = [
  ['a.com\u00e9', 'a non-ASCII byte'],
  ['[::1', 'an unclosed ['],
  ['[::1]x', 'text after ]'],
  ['[zz::1]', 'a non-hex digit in an IPv6 literal'],
  ['[]', 'an empty IP literal'],
  ['a]b.com', 'a ] outside a literal'],
  ['a[b.com', 'a [ inside a name'],
  ['user@a.com', 'userinfo, which a Host header never carries'],
  ['a.com/x', 'a path'],
  ['a.com?x', 'a query'],
  ['a.com#x', 'a fragment'],
  ['a b.com', 'a space'],
  ['a.com:80:80', 'two ports'],
  ['a%zzb.com', 'a % not followed by two hex digits'],
  ['a.com%4', 'a truncated percent-encoding'],
  ['a"b.com', 'a quote'],
  ['a\\b.com', 'a backslash'],
  ['a<b>.com', 'angle brackets'],
  ['{a}.com', 'braces'],
  ['a|b.com', 'a bar'],
];
