// Cancel's clean-up: the download folder goes, an installed model stays, and a folder another
// process is writing (it holds the model's lock) is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discardDownloads } from './discard-downloads';
import { acquireModelLock } from './model-lock';
import { modelDir } from './model-store';
import { downloadDirFor, downloadFilesDir } from './pull';
import { tempDir } from '../../testing/fixtures';

function partialDownload(home: string, id: string): void {
  mkdirSync(downloadFilesDir(id, home), { recursive: true });
  writeFileSync(join(downloadFilesDir(id, home), 'model.onnx.partial'), new Uint8Array(1000));
}

test('deletes the download folder, never the installed model', async () => {
  const home = tempDir();
  partialDownload(home, 'm');
  mkdirSync(modelDir('m', home), { recursive: true });
  writeFileSync(join(modelDir('m', home), 'manifest.json'), '{}');
  assert.equal(await discardDownloads('m', { home }), true);
  assert.ok(!existsSync(downloadDirFor('m', home)));
  assert.ok(existsSync(join(modelDir('m', home), 'manifest.json')));
  assert.equal(await discardDownloads('m', { home }), false, 'nothing left to delete');
});

test('refused while another holder of the lock is writing', async () => {
  const home = tempDir();
  partialDownload(home, 'm');
  const lock = await acquireModelLock('m', { home, activity: 'downloading' });
  await assert.rejects(discardDownloads('m', { home }), { code: 'MODEL_LOCKED' });
  assert.ok(existsSync(downloadDirFor('m', home)));
  await lock.release();
  assert.equal(await discardDownloads('m', { home }), true);
});
