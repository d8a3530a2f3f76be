// Run the Cloudflare double by hand or from a script:
//   node bin/run-ts.mjs test/support/fake-cloudflare/main.ts --zone example.com [--zone other.org] [--token T] [--account ID]
// Prints one JSON line {baseURL, apiToken, accountId, zones} on stdout, then serves until SIGINT/SIGTERM.
// Point the product at it: CLOUDFLARE_API_TOKEN=<apiToken> tunnel-gateway standalone --cloudflare-api-url <baseURL> --account-id <accountId> ...
import { parseArgs } from 'node:util';
import { startFakeCloudflare } from './index.js';

const { values } = parseArgs({
  options: {
    zone: { type: 'string', multiple: true, default: [] },
    token: { type: 'string' },
    account: { type: 'string' },
  },
});
const fake = await startFakeCloudflare({ apiToken: values.token, accountId: values.account });
const zones = (values.zone ?? []).map((name) => fake.store.addZone(name));
process.stdout.write(
  `${JSON.stringify({ baseURL: fake.baseURL, apiToken: fake.apiToken, accountId: fake.accountId, zones: zones.map((z) => ({ id: z.id, name: z.name })) })}\n`,
);
const stop = (): void => void fake.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
