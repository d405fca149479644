// @ts-check
// Lint for the whole repository. Besides typescript-eslint's recommended rules (type-aware in
// src-main, e2e and the renderer's .ts files), it enforces the layering of docs/ARCHITECTURE.md
// with one no-restricted-imports list per folder; scripts/lint-layering.test.ts proves it fires.
// Svelte components are left to svelte-check.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const RULE = '@typescript-eslint/no-restricted-imports';

/**
 * @typedef {{ name: string, message: string }} RestrictedPath
 * @typedef {{ regex: string, message: string, allowTypeImports?: boolean }} RestrictedPattern
 * @typedef {{ paths?: RestrictedPath[], patterns?: RestrictedPattern[] }} Restriction
 */

/** @type {Restriction} (1) Only main and preload run inside Electron's main/renderer bindings. */
const noElectron = {
  paths: [{ name: 'electron', message: 'electron may be imported only in src-main/app and src-main/preload.' }],
  patterns: [{ regex: '^electron/', message: 'electron may be imported only in src-main/app and src-main/preload.' }],
};

const nodeMessage = 'engine/common is pure TypeScript: no Node built-ins (pass data in; do I/O in the engine around it).';
/** @type {Restriction} (2) Pure code: runs anywhere, tested without a file system. */
const noNodeBuiltins = {
  paths: builtinModules
    .filter((name) => !name.startsWith('_'))
    .flatMap((name) => [name, `node:${name}`])
    .map((name) => ({ name, message: nodeMessage })),
  patterns: [{ regex: '^node:', message: nodeMessage }],
};

/** @type {Restriction} (2) ...and no native or wasm packages either. */
const noNativeDeps = {
  patterns: [
    {
      regex: '^(sharp|onnxruntime-node|heic-decode)(/|$)',
      message: 'engine/common stays pure: native and wasm packages belong in the engine around it.',
    },
  ],
};

/**
 * @type {Restriction} (3) The engine is used by the worker and the CLI, never the reverse.
 * Matched on the relative path, so the engine must not grow folders named like these layers.
 */
const noUpwardFromEngine = {
  patterns: [
    {
      regex: '^(\\.\\./)+(app|worker|cli|preload)(/|$)',
      message: 'The engine must not import from app, worker, cli or preload: they build on it.',
    },
  ],
};

/** @type {Restriction} (4) The page talks to main only through the preload API. */
const rendererBoundary = {
  patterns: [
    {
      regex: '(^|/)src-main/(?!protocol/)',
      message: 'The renderer may import only from src-main/protocol.',
    },
    {
      regex: '(^|/)src-main/protocol/',
      allowTypeImports: true,
      message: 'The renderer imports protocol types only: use `import type` (values reach the page through window.pureStudio).',
    },
  ],
};

/** @type {Restriction} (5) The protocol is shared by every process, so it depends on almost nothing. */
const protocolAllowList = {
  patterns: [
    {
      regex: '^(?!valibot$|\\./|(\\.\\./)+engine/common/)',
      message: 'src-main/protocol may import only valibot, src-main/engine/common and itself.',
    },
  ],
};

/** @type {Restriction} (6) The bridge stands beside the desktop app, never on it. */
const noAppFromBridge = {
  patterns: [
    {
      regex: '^(\\.\\./)+(app|preload)(/|$)',
      message: 'src-main/bridge runs without Electron: it may use the engine, protocol and worker/host, not app or preload.',
    },
  ],
};

/** node:test's test() and describe() return promises the runner itself awaits. */
const floatingPromises = [
  'error',
  { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
];

/** @param {...Restriction} restrictions */
function restrict(...restrictions) {
  return [
    'error',
    {
      paths: restrictions.flatMap((r) => r.paths ?? []),
      patterns: restrictions.flatMap((r) => r.patterns ?? []),
    },
  ];
}

export default defineConfig(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', '**/*.svelte', 'test-results/**', 'playwright-report/**', 'test-data/**', '.cache/**'],
  },

  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      // `_name` marks a deliberately unused binding (destructuring a field away, a callback's slot).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },

  // Type-aware rules where the code runs: a floating promise there is a lost error.
  {
    files: ['src-main/**/*.ts', 'e2e/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': floatingPromises },
  },
  {
    files: ['src-renderer/**/*.ts'],
    // The renderer's unit tests run in Node: they are checked with the Node project below.
    ignores: ['src-renderer/**/*.test.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { project: ['./tsconfig.renderer.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: { '@typescript-eslint/no-floating-promises': floatingPromises },
  },
  {
    files: ['src-renderer/**/*.test.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': floatingPromises },
  },
  {
    files: ['**/*.test.ts', 'e2e/**/*.ts'],
    // Test doubles implement async interfaces with bodies that have nothing to await.
    rules: { '@typescript-eslint/require-await': 'off' },
  },

  // Layering. Later entries replace earlier ones for the files they match, so each repeats the
  // general restrictions it still needs.
  { files: ['src-main/**/*.ts'], rules: { [RULE]: restrict(noElectron) } },
  { files: ['src-main/app/**/*.ts', 'src-main/preload/**/*.ts'], rules: { [RULE]: 'off' } },
  { files: ['src-main/engine/**/*.ts'], rules: { [RULE]: restrict(noElectron, noUpwardFromEngine) } },
  {
    files: ['src-main/engine/common/**/*.ts'],
    rules: { [RULE]: restrict(noElectron, noUpwardFromEngine, noNodeBuiltins, noNativeDeps) },
  },
  // Tests of pure code may still use node:test and node:assert.
  { files: ['src-main/engine/common/**/*.test.ts'], rules: { [RULE]: restrict(noElectron, noUpwardFromEngine, noNativeDeps) } },
  { files: ['src-main/protocol/**/*.ts'], ignores: ['**/*.test.ts'], rules: { [RULE]: restrict(protocolAllowList) } },
  // The HTTP bridge runs in plain Node (`npm run serve`): like the worker it builds on the engine,
  // the protocol and the worker's host side, and must never need Electron or the desktop app.
  { files: ['src-main/bridge/**/*.ts'], rules: { [RULE]: restrict(noElectron, noAppFromBridge) } },
  { files: ['src-renderer/**/*.ts'], ignores: ['src-renderer/**/*.test.ts'], rules: { [RULE]: restrict(noElectron, noNodeBuiltins, rendererBoundary) } },
  { files: ['src-renderer/**/*.test.ts'], rules: { [RULE]: restrict(noElectron) } },
);
