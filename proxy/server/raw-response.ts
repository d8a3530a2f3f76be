// Response heads written straight to a socket that left Node's HTTP server (an upgrade request's socket).
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HeaderList } from '../filters/types.js';

function statusLine(code: number, message: string | undefined): string {
  return `HTTP/1.1 ${code} ${message ?? STATUS_CODES[code] ?? ''}\r\n`;
}

function headerBlock(headers: HeaderList): string {
  let out = '';
  for (const [name, value] of headers) out += `${name}: ${value}\r\n`;
  return out;
}

/** A status line and headers (the caller includes Connection); the body, if any, follows from the caller. */
export function writeHead(socket: Duplex, code: number, message: string | undefined, headers: HeaderList): void {
  if (socket.destroyed) return;
  socket.write(`${statusLine(code, message)}${headerBlock(headers)}\r\n`);
}

/** A whole answer the proxy makes itself, then the connection closes. */
export function writeRaw(socket: Duplex, code: number, headers: HeaderList, body: string): void {
  if (socket.destroyed) return;
  const head = `${statusLine(code, undefined)}${headerBlock(headers)}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body);
}
