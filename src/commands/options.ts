// Flag parsers shared by the commands.
import { InvalidArgumentError, Option } from 'commander';

export interface HostPort {
  host: string;
  port: number;
}

/** "127.0.0.1:8080", ":8080" (all interfaces) or "[::1]:8080". */
export function parseHostPort(value: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`expected HOST:PORT, got "${value}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidArgumentError(`expected a port, got "${value}"`);
  return port;
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A --flag <host:port> option whose default shows in --help as written ("127.0.0.1:8080"). */
export function hostPortOption(flags: string, description: string, fallback: string, env?: string): Option {
  const option = new Option(flags, description).argParser(parseHostPort).default(parseHostPort(fallback), fallback);
  return env ? option.env(env) : option;
}

/** Boolean env vars read by value: commander's .env() would turn LEADER_ELECT=false into true. */
export function envFlag(name: string): boolean {
  const value = (process.env[name] ?? '').trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0' || value === 'no') return false;
  if (value === 'true' || value === '1' || value === 'yes') return true;
  throw new Error(`${name} must be true or false, got "${process.env[name]}"`);
}

/** --admin-allowed-hosts: Host names the admin port serves without a token, besides loopback ones. */
export function adminAllowedHostsOption(env: string): Option {
  const parse = (value: string) =>
    value
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
  return new Option(
    '--admin-allowed-hosts <names>',
    'comma list of Host names the admin API answers without a token besides localhost, 127.x, [::1] and its listen address (DNS rebinding defence)',
  )
    .argParser(parse)
    .env(env);
}
