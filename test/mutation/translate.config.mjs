// `npm run mutation:translate`: src/translate, killed by its unit tests, the request tables and the golden
// scenarios. `-- --mutate src/translate/<file>.ts` runs one file.
import { folderConfig } from './folder.mjs';

export default folderConfig(
  'translate',
  ['src/translate/**/*.ts'],
  ['<rootDir>/test/translate/**/*.test.ts', '<rootDir>/test/golden/**/*.test.ts'],
);
