// ESLint (flat config): typescript-eslint with type information (projectService, i.e. tsconfig.json) over
// everything TypeScript we run or test. The rules are the ones that find real bugs — promises nobody awaits
// or handles, promises passed where a callback's result is ignored, switches that miss a case — not style:
// formatting is Prettier's (.prettierrc.json), run by `npm run lint` after ESLint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'test-output/',
      '.stryker-tmp/',
      'deploy/',
      'docs/',
      'test/golden/testdata/',
      '**/*.d.ts',
      'src/debug-page/assets/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The bugs this linter is here for.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': [
        'error',
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ], // AbortSignal.reason is any
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }], // `let x` read by callbacks set up before x exists
      '@typescript-eslint/require-await': 'off', // async without await is how an interface's async method is often met
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Untyped JSON and YAML (manifests, API bodies) flow through `any` on purpose, validated where they enter;
      // these rules flag every use of such a value (hundreds of findings), not a bug.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `xs[i]!` is everywhere (~440 places): it states that an index is in range, which TypeScript would need
      // with noUncheckedIndexedAccess; without it this rule calls each one unnecessary. Not a bug either way.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Stringifying values in messages (untrusted manifest fields, Buffers appended to strings in tests):
      // at worst a message reads "[object Object]"; ~30 findings, none a bug.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // `'create' | string` documents a special value of a string option.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
    },
  },
  {
    // Tests and benches pass methods of doubles around (`stop: child.stop`); those are arrow properties typed
    // as methods, which this rule cannot tell apart. It stays on for the product code.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Plain JavaScript (bin/, scripts/, configs): Node globals, no type information needed.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        performance: 'readonly',
      },
    },
  },
);
