import js from '@eslint/js';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Server-only code the console must never bundle: Node built-ins, servers, and test harnesses. */
const SERVER_ONLY = {
  group: [
    'node:*',
    '@tierscope/federation',
    '@tierscope/federation/*',
    '@tierscope/store',
    '@tierscope/test-support',
    '@tierscope/test-support/*',
    'fastify',
    'postgres',
    'mqtt',
    'pino',
  ],
  message: 'The console runs in the browser: server-only packages and Node built-ins stay out of apps/web.',
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.data/**',
      'apps/node/drizzle/**',
      'e2e/artifacts/**',
      'e2e/test-results/**',
      'e2e/playwright-report/**',
      'apps/web/dev-dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  {
    // Apps share only through packages: one app importing another couples their deployments.
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'packages/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/apps/*',
                '@tierscope/node',
                '@tierscope/bff',
                '@tierscope/web',
                '@tierscope/simulator',
              ],
              message: 'Nothing imports from an app; share code through packages/*.',
            },
          ],
        },
      ],
    },
  },
  {
    // The console: React's hook rules (with the compiler's checks), accessible JSX, browser globals.
    files: ['apps/web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    files: ['apps/web/src/**/*.{ts,tsx}'],
    ...jsxA11y.flatConfigs.recommended,
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...jsxA11y.flatConfigs.recommended.rules,
      'react-hooks/exhaustive-deps': 'error',
      // Scroll areas (virtual tables, long lists) must be focusable to scroll by keyboard.
      'jsx-a11y/no-noninteractive-tabindex': ['error', { roles: ['tabpanel', 'table', 'region'] }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process in the browser; Vite exposes import.meta.env.' },
        { name: 'Buffer', message: 'No Buffer in the browser; use TextEncoder or Uint8Array.' },
      ],
      // The full contract (`@tierscope/shared`) holds the routers and server code: the console takes
      // its router's type only, and values from the browser-safe entries (/schemas, /domain, /order, /mqtt).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@tierscope/shared',
              allowTypeImports: true,
              message:
                'Import types only; values come from @tierscope/shared/schemas, /domain, /order or /mqtt.',
            },
            {
              name: '@trpc/server',
              allowTypeImports: true,
              message: 'The console is a tRPC client: types only from @trpc/server.',
            },
          ],
          patterns: [SERVER_ONLY],
        },
      ],
    },
  },
  {
    // Features never import each other; pages in src/app compose them (STYLE.md, "The console").
    files: ['apps/web/src/features/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*/**', '!../../**'],
              message: 'A feature does not import another feature: compose them in src/app/routes.',
            },
            {
              group: ['**/app/**'],
              message: 'Features do not reach into the app layer; it composes them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/web/src/{components,lib}/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/features/**', '**/app/**'],
              message: 'Shared code does not depend on features or the app.',
            },
          ],
        },
      ],
    },
  },
  {
    // The ./order entry is in the console's first route, which carries no zod: types only from elsewhere.
    files: ['packages/shared/src/domain/order.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['*', '**/*'],
              allowTypeImports: true,
              message: 'The comparators stay pure: import types only, so no zod or tRPC is bundled.',
            },
          ],
        },
      ],
    },
  },
  {
    // Playwright fixtures without dependencies are written `async ({}, use) => …`.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
