// `npm run mutation:machines`: machines/, killed by their unit tests, the model-based walks (test/model) and
// the pure runtime test.
import { folderConfig } from './folder.mjs';

export default folderConfig(
  'machines',
  ['machines/**/*.ts'],
  ['<rootDir>/test/machines/**/*.test.ts', '<rootDir>/test/model/**/*.test.ts', '<rootDir>/test/runtime/pure.test.ts'],
);
