// `npm run mutation:router`: proxy/router, killed by the router's own tests and the request tables that route
// translated conformance scenarios through it (test/translate/*requests*).
import { folderConfig } from './folder.mjs';

export default folderConfig(
  'router',
  ['proxy/router/**/*.ts'],
  [
    '<rootDir>/test/proxy/{router,host,routing,compiler,reuse,segments,scale,regex-budget,normalize-path,path-normalisation,compile-slices,shared-config,gateway-scopes,table}.test.ts',
    '<rootDir>/test/translate/*requests*.test.ts',
  ],
);
