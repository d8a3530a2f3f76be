// Data ports per Gateway (src/translate/gateway-ports.ts, ADR 0009) through translate(): what each Gateway's
// status lists as its own address, under the changes a cluster sees — a newer Gateway (pinned or not) never
// moves an older one, input order never matters, and what removing an older Gateway does.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME, emptySnapshot, type K8sObject, type Snapshot } from '../../src/core/types.js';
import { DATA_PORT_ADDRESS_TYPE, DATA_PORT_ANNOTATION } from '../../src/translate/gateway-ports.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS } from './support.js';

const OPTIONS = { ...TRANSLATE_OPTIONS, dataAddressHost: '127.0.0.1' };

function gateway(name: string, day: number, pin?: string): K8sObject {
  return {
    kind: 'Gateway',
    metadata: {
      name,
      namespace: 'ns',
      creationTimestamp: `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`,
      ...(pin !== undefined && { annotations: { [DATA_PORT_ANNOTATION]: pin } }),
    },
    spec: { gatewayClassName: 'c', listeners: [{ name: 'h', protocol: 'HTTP', port: 80 }] },
  };
}

function world(gateways: K8sObject[]): Snapshot {
  const s = emptySnapshot();
  s.gatewayClasses.push({
    kind: 'GatewayClass',
    metadata: { name: 'c' },
    spec: { controllerName: DEFAULT_CONTROLLER_NAME },
  });
  s.gateways.push(...gateways);
  return s;
}

/** Gateway name → its data port as its status lists it, or the Programmed reason when it lists none. */
function ports(gateways: K8sObject[], options = OPTIONS): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const s of translate(world(gateways), options).statuses.filter((x) => x.kind === 'Gateway')) {
    const addresses = s.status.addresses as Array<{ type: string; value: string }>;
    const own = addresses.find((a) => a.type === DATA_PORT_ADDRESS_TYPE);
    const conditions = s.status.conditions as Array<{ type: string; reason: string }>;
    out[s.name] = own ? Number(own.value.split(':').pop()) : conditions.find((c) => c.type === 'Programmed')!.reason;
  }
  return out;
}

const BASE = [gateway('a', 1), gateway('b', 2, '9000'), gateway('c', 3), gateway('d', 4)];

describe('Gateway data ports', () => {
  it('gives the oldest unpinned Gateway the proxy port, a pin its port, the others the next ones in age order', () => {
    expect(ports(BASE)).toEqual({ a: 8080, b: 9000, c: 8081, d: 8082 });
  });

  it.each<[string, string | undefined]>([
    ['no pin', undefined],
    ['a free pin', '9100'],
    ['a pin on a port an older Gateway was given', '8081'],
    ['a pin on an older pin', '9000'],
    ['a pin on the proxy port', '8080'],
    ['a pin that is no number', 'x'],
  ])('never moves an older Gateway when a newer one comes with %s', (_name, pin) => {
    const before = ports(BASE);
    const after = ports([...BASE, gateway('e', 5, pin)]);
    expect(after).toMatchObject(before);
    expect(after.e).toBe(pin === undefined ? 8083 : pin === '9100' ? 9100 : 'AddressNotUsable');
  });

  it('does not depend on the order of the input', () => {
    const reversed = [...BASE].reverse();
    expect(ports(reversed)).toEqual(ports(BASE));
  });

  it('orders Gateways of the same second by namespace/name', () => {
    expect(ports([gateway('y', 1), gateway('x', 1)])).toEqual({ x: 8080, y: 8081 });
  });

  it('moves younger unpinned Gateways down when an older one goes; pinned ones stay', () => {
    expect(ports(BASE.filter((g) => g.metadata.name !== 'a'))).toEqual({ b: 9000, c: 8080, d: 8081 });
  });

  it('gives a Gateway no port when none is free below 65536 (AddressNotUsable, nothing served)', () => {
    const tight = { ...OPTIONS, proxyHttpPort: 65_534, proxyTlsPort: 65_535 };
    expect(ports([gateway('a', 1), gateway('b', 2)], tight)).toEqual({ a: 65_534, b: 'AddressNotUsable' });
    const config = translate(world([gateway('a', 1), gateway('b', 2)]), tight).proxyConfig;
    expect(config.gateways!.map((g) => g.name)).toEqual(['ns/a']);
    // A Gateway left without a cleartext port takes no TLS port either: the next one pinned gets the first.
    const noHttpLeft = { ...OPTIONS, proxyHttpPort: 65_535 };
    const three = translate(world([gateway('a', 1), gateway('b', 2), gateway('c', 3, '9000')]), noHttpLeft);
    expect(three.proxyConfig.gateways!.map((g) => [g.name, g.port, g.tlsPort])).toEqual([
      ['ns/a', undefined, undefined],
      ['ns/c', 9000, 8444],
    ]);
  });

  it.each<[string, string, number | string]>([
    ['with spaces around', ' 9100 ', 9100],
    ['1', '1', 1],
    ['65535', '65535', 65_535],
    ['0', '0', 'AddressNotUsable'],
    ['65536', '65536', 'AddressNotUsable'],
    ['text before the number', 'x9100', 'AddressNotUsable'],
    ['text after the number', '9100x', 'AddressNotUsable'],
    ["the proxy's TLS port", '8443', 'AddressNotUsable'],
  ])('a pin %s (%j) gives %j', (_what, pin, expected) => {
    expect(ports([gateway('a', 1), gateway('b', 2, pin)]).b).toBe(expected);
  });

  it('says why a pin or the ports left give a Gateway no port', () => {
    const programmed = (gateways: K8sObject[], options = OPTIONS) =>
      translate(world(gateways), options)
        .statuses.filter((s) => s.kind === 'Gateway')
        .map(
          (s) =>
            (s.status.conditions as Array<{ type: string; message: string }>).find((c) => c.type === 'Programmed')!
              .message,
        );
    expect(programmed([gateway('a', 1, '8443')])).toEqual([
      `annotation ${DATA_PORT_ANNOTATION}: port 8443 is the proxy's own (--listen or --tls-listen), which serves the oldest Gateway without the annotation`,
    ]);
    // A TLS port is needed too: none is left above --tls-listen, though cleartext ones are.
    const noTls = { ...OPTIONS, proxyTlsPort: 65_535 };
    expect(programmed([gateway('a', 1), gateway('b', 2)], noTls)[1]).toBe('no free data port is left for this Gateway');
  });

  it('skips the ports pinned by older Gateways, up to 65535 itself', () => {
    expect(ports([gateway('a', 1), gateway('b', 2, '8081'), gateway('c', 3)])).toEqual({ a: 8080, b: 8081, c: 8082 });
    const top = { ...OPTIONS, proxyHttpPort: 65_534 };
    expect(ports([gateway('a', 1), gateway('b', 2)], top)).toEqual({ a: 65_534, b: 65_535 });
  });

  it('writes an IPv6 data address in brackets', () => {
    const status = translate(world([gateway('a', 1)]), { ...OPTIONS, dataAddressHost: '::1' }).statuses[1]!;
    const addresses = status.status.addresses as Array<{ type: string; value: string }>;
    expect(addresses.find((a) => a.type === DATA_PORT_ADDRESS_TYPE)?.value).toBe('[::1]:8080');
  });

  it('keeps the reason a Gateway is not programmed for when its pin is bad too', () => {
    const invalid = gateway('a', 1, 'x');
    invalid.spec = { gatewayClassName: 'c', listeners: [{ name: 'h', protocol: 'UDP', port: 80 }] };
    expect(ports([invalid])).toEqual({ a: 'Invalid' });
  });
});
