import js from '@eslint/js';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Import boundaries, one constant each. In flat config a later block that sets a rule replaces it for
 * the files it matches, so no block names the rule itself: `boundaries()` below composes the full
 * list for each layer, and a layer repeats every boundary of the layers that contain it.
 * eslint.config.test.ts lints a forbidden and an allowed import across each boundary.
 */

/** Apps share only through packages: one app importing another couples their deployments. */
const NO_APPS = {
  patterns: [
    {
      // `apps/…` from anywhere, an app's package name, or a relative climb into a sibling app.
      regex: '(^|/)apps/|^@tierscope/(node|bff|web|simulator)(/|$)|^(\\.\\./)+(node|bff|web|simulator)/',
      message: 'Nothing imports from an app; share code through packages/*.',
    },
  ],
};

/** scripts/ are command-line entry points: what they share lives in a package they import. */
const NO_SCRIPTS = {
  patterns: [
    {
      regex: '^(\\.\\.?/)+(.*/)?scripts/',
      message: 'Nothing imports scripts/: move what is shared into a package (test-support for launchers).',
    },
  ],
};

/** A module the console's first route loads at once imports nothing at run time: types only. */
const TYPES_ONLY = {
  patterns: [
    {
      group: ['*', '**/*'],
      allowTypeImports: true,
      message: 'The comparators stay pure: import types only, so no zod or tRPC is bundled.',
    },
  ],
};

/** Test doubles and harnesses stay out of what ships; only tests, benches and e2e use them. */
const NO_TESTING_FOLDERS = {
  patterns: [
    {
      regex: '(^|/)testing(/|$)',
      message: 'Production code does not import test doubles: testing/ folders are for tests.',
    },
  ],
};
const NO_TEST_SUPPORT = {
  patterns: [
    {
      regex: '(^|/)test-support(/|$)',
      message: 'Production code does not import @tierscope/test-support: it is a harness for tests.',
    },
  ],
};

/** Server-only code the console must never bundle: Node built-ins, servers, and test harnesses. */
const SERVER_ONLY = {
  patterns: [
    {
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
      message:
        'The console runs in the browser: server-only packages and Node built-ins stay out of apps/web.',
    },
  ],
};

/**
 * The full contract (`@tierscope/shared`) holds the routers and server code: the console takes its
 * router's type only, and values from the browser-safe entries (/schemas, /domain, /order, /mqtt).
 */
const BROWSER_SAFE_CONTRACT = {
  paths: [
    {
      name: '@tierscope/shared',
      allowTypeImports: true,
      message: 'Import types only; values come from @tierscope/shared/schemas, /domain, /order or /mqtt.',
    },
    {
      name: '@trpc/server',
      allowTypeImports: true,
      message: 'The console is a tRPC client: types only from @trpc/server.',
    },
  ],
};

/** Features never import each other; pages in src/app compose them (STYLE.md, "The console"). */
const FEATURES_APART = {
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
};

/** Components and lib sit below features and the app. */
const SHARED_BELOW_FEATURES = {
  patterns: [
    {
      group: ['**/features/**', '**/app/**'],
      message: 'Shared code does not depend on features or the app.',
    },
  ],
};

/** Where test doubles may be imported: tests, test doubles themselves, the harness, benches, the fault suite, e2e. */
const TEST_CODE = [
  '**/*.test.{ts,tsx}',
  '**/*.spec.ts',
  '**/testing/**',
  'packages/test-support/**',
  'bench/**',
  'faults/**',
  'e2e/**',
];

/**
 * The one import rule, listing every boundary given. The typescript-eslint rule is the only one used,
 * because it alone knows `import type` (the console may take the server's router as a type).
 */
function restrictImports(list) {
  return {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: list.flatMap((boundary) => boundary.paths ?? []),
        patterns: list.flatMap((boundary) => boundary.patterns ?? []),
      },
    ],
  };
}

/** A layer's boundaries, plus the ban on test doubles for the layer's files outside TEST_CODE. */
function boundaries(files, layer) {
  return [
    { files, ignores: TEST_CODE, rules: restrictImports([...layer, NO_TESTING_FOLDERS, NO_TEST_SUPPORT]) },
    // Each entry is a pair that must both match: a file of the layer that is also test code.
    { files: files.flatMap((file) => TEST_CODE.map((test) => [file, test])), rules: restrictImports(layer) },
  ];
}

/** Layers from the widest to the narrowest; each holds every boundary of the layers around it. */
const CODE = [NO_APPS, NO_SCRIPTS];
const CONSOLE = [...CODE, SERVER_ONLY, BROWSER_SAFE_CONTRACT];
const CONSOLE_FEATURES = [...CONSOLE, FEATURES_APART];
const CONSOLE_SHARED = [...CONSOLE, SHARED_BELOW_FEATURES];

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
  ...boundaries(['**/*.{ts,tsx}'], CODE),
  // `npm start` launches the demo's tiers with test-support's process launcher; test doubles stay out.
  { files: ['scripts/**/*.ts'], rules: restrictImports([...CODE, NO_TESTING_FOLDERS]) },
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
    },
  },
  ...boundaries(['apps/web/src/**/*.{ts,tsx}'], CONSOLE),
  ...boundaries(['apps/web/src/features/**/*.{ts,tsx}'], CONSOLE_FEATURES),
  ...boundaries(['apps/web/src/{components,lib}/**/*.{ts,tsx}'], CONSOLE_SHARED),
  // The ./order entry is in the console's first route, which carries no zod: types only from elsewhere.
  ...boundaries(['packages/shared/src/domain/order.ts'], [...CODE, TYPES_ONLY]),
  {
    // Playwright fixtures without dependencies are written `async ({}, use) => …`.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  // Scripts the console's service worker imports run in a worker's global scope.
  { files: ['apps/web/public/**/*.js'], languageOptions: { globals: globals.serviceworker } },
);
