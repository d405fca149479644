// Proves the layering rules in eslint.config.js fire where they should and stay quiet where
// they should not, by linting one-line snippets as if they sat in each folder.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';

const RULE = '@typescript-eslint/no-restricted-imports';
const root = join(import.meta.dirname, '..');

const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: join(root, 'eslint.config.js'),
  // The snippets are not files of any tsconfig, so lint them without type information, and run
  // only the layering rule (the type-aware rules would refuse to run without it).
  overrideConfig: { languageOptions: { parserOptions: { project: null, projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === RULE,
});

async function layeringErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: join(root, filePath) });
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `parsing ${filePath}`);
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

async function assertBlocked(code: string, filePath: string, why: RegExp): Promise<void> {
  const errors = await layeringErrors(code, filePath);
  assert.equal(errors.length > 0, true, `expected "${code}" to be refused in ${filePath}`);
  assert.match(errors[0], why);
}

async function assertAllowed(code: string, filePath: string): Promise<void> {
  assert.deepEqual(await layeringErrors(code, filePath), [], `expected "${code}" to be allowed in ${filePath}`);
}

describe('electron only in app/ and preload/', () => {
  test('refused in the engine, the worker and the renderer, even for types', async () => {
    await assertBlocked(`import { app } from 'electron';`, 'src-main/engine/foo.ts', /only in src-main\/app and src-main\/preload/);
    await assertBlocked(`import type { UtilityProcess } from 'electron';`, 'src-main/worker/foo.ts', /only in src-main\/app/);
    await assertBlocked(`import { ipcRenderer } from 'electron/renderer';`, 'src-renderer/src/lib/foo.ts', /only in src-main\/app/);
  });

  test('allowed in app/ and preload/', async () => {
    await assertAllowed(`import { app } from 'electron';`, 'src-main/app/foo.ts');
    await assertAllowed(`import { contextBridge } from 'electron';`, 'src-main/preload/foo.ts');
  });
});

describe('engine/common is pure', () => {
  test('no Node built-ins, with or without the node: prefix', async () => {
    await assertBlocked(`import fs from 'node:fs';`, 'src-main/engine/common/x.ts', /no Node built-ins/);
    await assertBlocked(`import { join } from 'path';`, 'src-main/engine/common/x.ts', /no Node built-ins/);
    await assertBlocked(`import { readFile } from 'fs/promises';`, 'src-main/engine/common/x.ts', /no Node built-ins/);
  });

  test('no native or wasm packages', async () => {
    await assertBlocked(`import sharp from 'sharp';`, 'src-main/engine/common/x.ts', /native and wasm/);
    await assertBlocked(`import * as ort from 'onnxruntime-node';`, 'src-main/engine/common/x.ts', /native and wasm/);
  });

  test('the rest of the engine may use both', async () => {
    await assertAllowed(`import fs from 'node:fs';`, 'src-main/engine/image/x.ts');
    await assertAllowed(`import sharp from 'sharp';`, 'src-main/engine/image/x.ts');
  });

  test('its tests may use node:test', async () => {
    await assertAllowed(`import { test } from 'node:test';`, 'src-main/engine/common/x.test.ts');
  });
});

describe('the engine does not reach up', () => {
  test('no imports from app, worker, cli or preload, at any depth', async () => {
    await assertBlocked(`import { x } from '../app/window';`, 'src-main/engine/foo.ts', /must not import from app/);
    await assertBlocked(`import { x } from '../../worker/job-loop';`, 'src-main/engine/restore/foo.ts', /must not import from app/);
    await assertBlocked(`import { x } from '../../../cli/restore';`, 'src-main/engine/models/deep/foo.ts', /must not import from app/);
  });

  test('within the engine and into protocol is fine', async () => {
    await assertAllowed(`import { x } from '../common/errors';`, 'src-main/engine/restore/foo.ts');
    await assertAllowed(`import type { RestoreOptions } from '../../protocol/restore';`, 'src-main/engine/restore/foo.ts');
  });
});

describe('the renderer sees only protocol types', () => {
  const file = 'src-renderer/src/lib/foo.ts';

  test('type imports from protocol are allowed', async () => {
    await assertAllowed(`import type { PureStudioApi } from '../../../src-main/protocol/api';`, file);
  });

  test('value imports from protocol, and anything else from src-main, are refused', async () => {
    await assertBlocked(`import { IPC_CHANNELS } from '../../../src-main/protocol/api';`, file, /import type/);
    await assertBlocked(`import type { ErrorPayload } from '../../../src-main/engine/common/errors';`, file, /only from src-main\/protocol/);
    await assertBlocked(`import fs from 'node:fs';`, file, /no Node built-ins/);
  });
});

describe('protocol depends only on valibot and engine/common', () => {
  const file = 'src-main/protocol/foo.ts';

  test('allowed', async () => {
    await assertAllowed(`import * as v from 'valibot';`, file);
    await assertAllowed(`import { ERROR_CODES } from '../engine/common/errors';`, file);
    await assertAllowed(`import type { RestoreOptions } from './restore';`, file);
  });

  test('refused', async () => {
    await assertBlocked(`import { readFile } from 'node:fs';`, file, /only valibot/);
    await assertBlocked(`import type { RasterImage } from '../engine/image/types';`, file, /only valibot/);
    await assertBlocked(`import { z } from 'zod';`, file, /only valibot/);
  });
});

describe('the HTTP bridge runs without Electron', () => {
  const file = 'src-main/bridge/foo.ts';

  test('it may use the engine, the protocol and the worker host', async () => {
    await assertAllowed(`import { restoreImage } from '../engine/restore/restore';`, file);
    await assertAllowed(`import { BRIDGE } from '../protocol/api';`, file);
    await assertAllowed(`import { StudioHost } from '../worker/host/studio-host';`, file);
    await assertAllowed(`import { createServer } from 'node:http';`, file);
  });

  test('never electron, the desktop app or the preload', async () => {
    await assertBlocked(`import { app } from 'electron';`, file, /only in src-main\/app/);
    await assertBlocked(`import { registerIpc } from '../app/ipc';`, file, /runs without Electron/);
    await assertBlocked(`import '../preload/index';`, file, /runs without Electron/);
  });
});
