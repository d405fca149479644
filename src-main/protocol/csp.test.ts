import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { contentSecurityPolicy } from './csp';

const directives = (policy: string) => new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));

test('index.html carries the same policy main sends as a header', () => {
  const html = readFileSync(new URL('../../src-renderer/index.html', import.meta.url), 'utf8');
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  assert.ok(meta, 'index.html has a CSP meta tag');
  assert.equal(meta[1], contentSecurityPolicy({ delivery: 'meta' }));
});

test('the production policy allows nothing inline, nothing remote', () => {
  const policy = directives(contentSecurityPolicy({ delivery: 'header' }));
  assert.deepEqual(policy.get('default-src'), ["'none'"]);
  assert.deepEqual(policy.get('script-src'), ["'self'"]);
  assert.deepEqual(policy.get('style-src'), ["'self'"]);
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(policy.get('connect-src'), ["'self'"], 'the bridge API, on the same origin only');
  assert.deepEqual(policy.get('img-src'), ["'self'", 'blob:', 'pure-media:']);
  for (const sources of policy.values()) {
    assert.ok(!sources.some((s) => s.includes('unsafe') || s.includes('http') || s === '*'), sources.join(' '));
  }
});

test('a meta policy leaves out frame-ancestors, which a meta tag cannot carry', () => {
  assert.ok(!contentSecurityPolicy({ delivery: 'meta' }).includes('frame-ancestors'));
});

test('the dev policy opens exactly what the Vite dev server needs', () => {
  const policy = directives(contentSecurityPolicy({ delivery: 'header', dev: true }));
  assert.deepEqual(policy.get('style-src'), ["'self'", "'unsafe-inline'"]);
  assert.deepEqual(policy.get('connect-src'), ["'self'"]);
  assert.deepEqual(policy.get('script-src'), ["'self'"]);
});
