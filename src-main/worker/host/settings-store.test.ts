import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Settings } from '../../protocol/api';
import { SettingsStore } from './settings-store';

const dir = mkdtempSync(join(tmpdir(), 'pure-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `settings-${++n}.json`);

test('a missing file gives the defaults', async () => {
  const settings = await new SettingsStore(file()).load();
  assert.equal(settings.theme, 'system');
  assert.equal(settings.engine, 'realesrgan-x4plus');
  assert.equal(settings.scale, 4);
  assert.equal(settings.processor, 'auto');
  assert.deepEqual(settings.recent, []);
});

test('a damaged file gives the defaults; a bad field loses only itself', async () => {
  const broken = file();
  writeFileSync(broken, '{ not json');
  assert.equal((await new SettingsStore(broken).load()).theme, 'system');
  const partly = file();
  writeFileSync(partly, JSON.stringify({ theme: 'dark', engine: 'an-engine-long-gone', quality: 500, processor: 'cuda', recent: ['/a.jpg'] }));
  const settings = await new SettingsStore(partly).load();
  assert.equal(settings.theme, 'dark');
  assert.equal(settings.engine, 'realesrgan-x4plus');
  assert.equal(settings.quality, 90);
  // A provider is not a processor choice: the setting falls back to its default alone.
  assert.equal(settings.processor, 'auto');
  assert.deepEqual(settings.recent, ['/a.jpg']);
  // A damaged processor loses only itself, and a good one survives a damaged neighbour.
  const damagedProcessor = file();
  writeFileSync(damagedProcessor, JSON.stringify({ processor: 7, scale: 2 }));
  assert.deepEqual(pick(await new SettingsStore(damagedProcessor).load()), { processor: 'auto', scale: 2 });
  const goodProcessor = file();
  writeFileSync(goodProcessor, JSON.stringify({ processor: 'cpu', scale: 3 }));
  assert.deepEqual(pick(await new SettingsStore(goodProcessor).load()), { processor: 'cpu', scale: 4 });
});

const pick = ({ processor, scale }: Settings): Pick<Settings, 'processor' | 'scale'> => ({ processor, scale });

test('updates are checked, persisted, and cannot touch the recent list', async () => {
  const path = file();
  const store = new SettingsStore(path);
  await store.load();
  await store.update({ theme: 'light', scale: 2 });
  await store.update({ processor: 'gpu' });
  await assert.rejects(store.update({ scale: 3 }), { code: 'INVALID_OPTION' });
  await assert.rejects(store.update({ processor: 'webgpu' }), { code: 'INVALID_OPTION' });
  await assert.rejects(store.update('dark'), { code: 'INVALID_OPTION' });
  await store.update({ recent: ['/etc/passwd'] });
  const reread = await new SettingsStore(path).load();
  assert.equal(reread.theme, 'light');
  assert.equal(reread.scale, 2);
  assert.equal(reread.processor, 'gpu');
  assert.deepEqual(reread.recent, []);
  assert.doesNotThrow(() => JSON.parse(readFileSync(path, 'utf8')) as unknown);
});

test('the recent list keeps the newest first, once each, ten at most', async () => {
  const store = new SettingsStore(file());
  await store.load();
  for (let i = 0; i < 12; i++) await store.addRecent([`/p/${i}.jpg`]);
  await store.addRecent(['/p/5.jpg']);
  const { recent } = store.get();
  assert.equal(recent.length, 10);
  assert.equal(recent[0], '/p/5.jpg');
  assert.equal(recent.filter((p) => p === '/p/5.jpg').length, 1);
});
