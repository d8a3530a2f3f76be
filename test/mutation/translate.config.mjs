// `npm run mutation:translate`: src/translate, killed by its unit tests, the request tables and the golden
// scenarios. `-- --mutate src/translate/<file>.ts` runs one file.
import { folderConfig } from './folder.mjs';

const config = folderConfig(
  'translate',
  ['src/translate/**/*.ts'],
  ['<rootDir>/test/translate/**/*.test.ts', '<rootDir>/test/golden/**/*.test.ts'],
);

// The translator's tests read the route CRDs (their filter enums and size limits are the oracles): the sandbox
// keeps deploy/crds while leaving the rest of deploy/ out.
export default {
  ...config,
  ignorePatterns: [...config.ignorePatterns.filter((p) => p !== 'deploy'), 'deploy/*', '!deploy/crds'],
};
