import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'artifacts/', 'tests/platforms/*/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_next` keeps an Express error handler's four-argument shape; `{ a: _a, ...rest }` drops a field on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A value bound after the closures that read it (the late-bound `services`) cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Row mappers take knex's untyped rows and tests poke at loose JSON bodies: `any` is the honest type there.
    files: ['src/repositories/**', 'src/events/**', 'tests/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['src/ops-dashboard/js/**'], languageOptions: { globals: globals.browser } },
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['src/ops-dashboard/js/**'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
);
