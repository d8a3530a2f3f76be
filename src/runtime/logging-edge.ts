// The edge when no Cloudflare account is configured: log the ingress document and DNS records that would
// be written, once per change, so a standalone user sees what the tunnel would carry.
import type { EdgeAdapter } from '../core/ports.js';
import type { DnsRecord, IngressDocument } from '../core/types.js';
import type { Logger } from '../log.js';

export function loggingEdge(
  logger: Logger,
): EdgeAdapter & { last(): { ingress: IngressDocument; dns: DnsRecord[] } | undefined } {
  let last: { ingress: IngressDocument; dns: DnsRecord[] } | undefined;
  let lastJson = '';
  return {
    async reconcile(desired) {
      const json = JSON.stringify(desired);
      if (json === lastJson) return { ok: true, writes: 0 };
      lastJson = json;
      last = desired;
      logger.info(
        { ingress: desired.ingress.ingress, dns: desired.dns.map((r) => `${r.name} CNAME ${r.content}`) },
        'edge (not connected to Cloudflare): would write',
      );
      return { ok: true, writes: 0 };
    },
    last: () => last,
  };
}
