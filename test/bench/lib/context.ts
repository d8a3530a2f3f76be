// What the benches share: settings, the nginx backend and reference proxy, our proxy, and a probe.
import { request } from 'node:http';
import type { BenchSettings } from './settings.js';
import type { NginxInstance } from './nginx.js';
import type { OursInstance } from './targets.js';

export interface BenchContext {
  settings: BenchSettings;
  backend: NginxInstance;
  nginx: NginxInstance;
  ours: OursInstance;
  log(message: string): void;
}

/** One request through a target before measuring it: a bench of a broken path would measure errors. */
export function probe(url: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve()
          : reject(new Error(`probe ${url} answered ${res.statusCode}: ${body.slice(0, 200)}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
