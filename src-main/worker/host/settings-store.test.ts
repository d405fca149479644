import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
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
  assert.deepEqual(settings.recent, []);
});

test('a damaged file gives the defaults; a bad field loses only itself', async () => {
  const broken = file();
  writeFileSync(broken, '{ not json');
  assert.equal((await new SettingsStore(broken).load()).theme, 'system');
  const partly = file();
  writeFileSync(partly, JSON.stringify({ theme: 'dark', engine: 'an-engine-long-gone', quality: 500, recent: ['/a.jpg'] }));
  const settings = await new SettingsStore(partly).load();
  assert.equal(settings.theme, 'dark');
  assert.equal(settings.engine, 'realesrgan-x4plus');
  assert.equal(settings.quality, 90);
  assert.deepEqual(settings.recent, ['/a.jpg']);
});

test('updates are checked, persisted, and cannot touch the recent list', async () => {
  const path = file();
  const store = new SettingsStore(path);
  await store.load();
  await store.update({ theme: 'light', scale: 2 });
  await assert.rejects(store.update({ scale: 3 }), { code: 'INVALID_OPTION' });
  await assert.rejects(store.update('dark'), { code: 'INVALID_OPTION' });
  await store.update({ recent: ['/etc/passwd'] });
  const reread = await new SettingsStore(path).load();
  assert.equal(reread.theme, 'light');
  assert.equal(reread.scale, 2);
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
