// "Trust on first use" for files whose sha256 the catalog does not pin: the first download's
// digest is recorded by URL, and every later download of that URL must match it. One small file
// per URL (named by the URL's sha256), so two models being pulled at once never race on a shared
// file. Kept when a model is removed: forgetting is an explicit choice (`pull --retrust`).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { trustDir } from './paths';

export interface TrustedDigest {
  url: string;
  size: number;
  sha256: string;
  firstSeen: string;
}

const recordPath = (home: string, url: string): string => join(trustDir(home), `${createHash('sha256').update(url).digest('hex')}.json`);

export async function trustedDigest(home: string, url: string): Promise<TrustedDigest | undefined> {
  try {
    const record = JSON.parse(await readFile(recordPath(home, url), 'utf8')) as TrustedDigest;
    return record.url === url && /^[0-9a-f]{64}$/.test(record.sha256) ? record : undefined;
  } catch {
    return undefined;
  }
}

export async function recordTrust(home: string, url: string, digest: { size: number; sha256: string }): Promise<void> {
  if (await trustedDigest(home, url)) return; // the first use is the one that counts
  await mkdir(trustDir(home), { recursive: true });
  const path = recordPath(home, url);
  const record: TrustedDigest = { url, size: digest.size, sha256: digest.sha256, firstSeen: new Date().toISOString() };
  await writeFileAtomic(path, JSON.stringify(record, null, 2));
}

export async function forgetTrust(home: string, urls: readonly string[]): Promise<void> {
  await Promise.all(urls.map((url) => rm(recordPath(home, url), { force: true })));
}
