// Builds the three Electron targets into out/: main (+ the utility worker, the engine's child
// processes and the command-line tools), the preload script, and the Svelte renderer.
// `node scripts/build-main.mjs` builds the main target alone (what bin/pure-studio.js does when the
// sources changed since the last build).
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { writeStamp } from './bin/build-state.js';
import { contentSecurityPolicy } from './src-main/protocol/csp';

const root = import.meta.dirname;

/**
 * Native addons and wasm loaders stay in node_modules (their binaries are found relative to their
 * own files); everything else, valibot included, is bundled so out/ needs nothing else.
 * node-sqlite3-wasm reads node-sqlite3-wasm.wasm beside its own .js: bundled, it looked for it in
 * out/main and failed at the first library open.
 */
const NATIVE_DEPS = ['onnxruntime-node', 'sharp', 'heic-decode', 'node-sqlite3-wasm'];
const nativeExternal = NATIVE_DEPS.map((name) => new RegExp(`^${name}(/.*)?$`));

/** The dev server injects <style> tags and uses a WebSocket: relax index.html's CSP there only. */
function devCsp(): Plugin {
  return {
    name: 'pure:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace(
        /(<meta http-equiv="Content-Security-Policy" content=")[^"]*(")/,
        `$1${contentSecurityPolicy({ delivery: 'meta', dev: true })}$2`,
      ),
  };
}

/**
 * Writes out/main/build-stamp.json: the sources this build read, with their sizes and times, so
 * that bin/pure-studio.js can tell at start whether the build is older than the sources.
 */
function buildStamp(): Plugin {
  let startedAt = 0;
  return {
    name: 'pure:build-stamp',
    apply: 'build',
    buildStart() {
      startedAt = Date.now();
    },
    writeBundle(options) {
      if (options.dir) writeStamp(root, options.dir, this.getModuleIds(), startedAt);
    },
  };
}

export default defineConfig({
  main: {
    plugins: [buildStamp()],
    build: {
      outDir: 'out/main',
      externalizeDeps: false,
      rolldownOptions: {
        input: {
          index: resolve(root, 'src-main/app/index.ts'),
          // Electron utility process: utilityProcess.fork(out/main/worker.js).
          worker: resolve(root, 'src-main/worker/index.ts'),
          // onnxruntime child process; the engine forks new URL('./ort-worker.js', import.meta.url)
          // from a bundled file in out/main, so it must keep this exact name.
          'ort-worker': resolve(root, 'src-main/engine/runtime/ort-worker.ts'),
          // PURE's child process, forked the same way as ort-worker.
          'pure-worker': resolve(root, 'src-main/engine/pure/pipeline/pure-worker.ts'),
          // The model manager's conversion child process (PURE's converter), forked the same way.
          'convert-worker': resolve(root, 'src-main/engine/models/convert-worker.ts'),
          // The command-line tools (bin/pure-studio.js starts it: `cli.js <command> [args]`).
          cli: resolve(root, 'src-main/cli/main.ts'),
        },
        external: nativeExternal,
        // Shared chunks stay beside the entries (not in chunks/): engine code in a chunk resolves
        // './ort-worker.js' against its own URL, which must be out/main.
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    // Sandboxed preloads run in a bare context: no node_modules, no ES modules. Bundle
    // everything into one CommonJS file.
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    // The Svelte config sits at the project root (svelte-check reads it there), not in root above.
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') }), devCsp()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // Inlined assets become data: URLs, which the CSP (img-src 'self' blob:) refuses.
      assetsInlineLimit: 0,
      rolldownOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});
