// Lint for the whole tree: typescript-eslint's type-aware rules (floating promises, unsafe `any`),
// libraries imported by name only, and every `eslint-disable` with its reason (`-- why`).
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'schemas/json/**', 'coverage/**'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  comments.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      // The ports are async; adapters over synchronous stores (SQLite) keep async methods so that
      // a throw reaches the caller as a rejection, as it does from the other adapters.
      '@typescript-eslint/require-await': 'off',
      // `const { asOf, ...rest } = view` is how a field is left out.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\.?/(\\.\\./)*(libs|apps|schemas)/',
              message: "import another library by its name (package.json 'imports', e.g. '#errors'), not by its path",
            },
            {
              regex: '^#[^/]+/(src|testing)/',
              message: "a library's public surface is its index.ts: import the library, not its files",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON answers as they come (`any`) and check them with `expect`.
    files: ['**/*.spec.ts', 'test/**/*.ts', 'libs/testing/**/*.ts', 'libs/*/src/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // `expect(object.method)` and destructured spec results hand methods around on purpose.
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node }, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
);
