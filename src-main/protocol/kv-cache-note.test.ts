import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvCacheNote } from './kv-cache-note';

test('a note only when a card provider ran with the cache on the host', () => {
  assert.equal(kvCacheNote('webgpu', 'device'), undefined);
  assert.equal(kvCacheNote('cpu', 'host-static'), undefined, 'on the CPU nothing crosses');
  assert.equal(kvCacheNote('cuda', undefined), undefined, 'Real-ESRGAN has no cache');
  assert.match(kvCacheNote('cuda', 'host-static') ?? '', /sent to the graphics card at every token: cuda cannot keep it/);
  assert.match(kvCacheNote('dml', 'host-concat') ?? '', /dml cannot keep it/);
  assert.match(kvCacheNote('webgpu', 'host-static') ?? '', /convert the model again/);
});
