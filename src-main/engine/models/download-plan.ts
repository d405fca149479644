// What a pull must fetch for a download entry: the catalog's own files plus, for a Hugging Face
// repo, the files listed at pull time, each with the digest it must have and how far that digest
// is trusted. The plan is kept beside the downloads (plan.json) so that a resumed pull, even
// after a restart and offline, fetches exactly the files (and commit) it started with.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../common/errors';
import { writeFileAtomic } from './atomic-write';
import type { DownloadEntry } from './catalog';
import type { RemoteFile } from './download-file';
import { hubAuthorization, listHuggingFace } from './hf-listing';
import type { GetOptions } from './http-get';
import type { Trust } from './manifest';
import { forgetTrust, trustedDigest } from './trust-store';

export interface PlannedFile extends RemoteFile {
  trust: Trust;
  /** For the disk-space check when the size is unknown. */
  approxBytes?: number;
}

export interface DownloadPlan {
  /** The catalog source this plan was made for; a changed catalog entry means a new plan. */
  sourceKey: string;
  revision?: string;
  files: PlannedFile[];
}

export const PLAN_FILE = 'plan.json';

export interface PlanOptions extends Pick<GetOptions, 'signal' | 'env' | 'proxy' | 'timeoutMs'> {
  home: string;
  /** Forget digests recorded on first use (the publisher replaced a file on purpose). */
  retrust?: boolean;
}

async function readPlan(dir: string): Promise<DownloadPlan | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, PLAN_FILE), 'utf8')) as DownloadPlan;
  } catch {
    return undefined;
  }
}

/** The files a model needs, without their trust-on-first-use digests (see `withTrustedDigests`). */
export async function planDownload(entry: DownloadEntry, dir: string, options: PlanOptions): Promise<DownloadPlan> {
  const sourceKey = JSON.stringify(entry.source);
  const saved = await readPlan(dir);
  if (saved?.sourceKey === sourceKey) return saved;

  const files: PlannedFile[] = entry.source.files.map((f) => ({ ...f, trust: f.sha256 ? 'pinned' : 'first-use' }));
  let revision: string | undefined;
  const hf = entry.source.huggingface;
  if (hf) {
    const listing = await listHuggingFace(hf, options);
    revision = listing.commit;
    for (const f of listing.files) files.push({ ...f, trust: f.sha256 || f.gitSha1 ? 'listed' : 'first-use' });
  }
  const names = files.map((f) => f.name);
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash) throw new EngineError('MODEL_FORMAT', `The catalog entry ${entry.id} would download two files named ${clash}.`);

  const plan: DownloadPlan = { sourceKey, revision, files };
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, PLAN_FILE), JSON.stringify(plan, null, 2));
  return plan;
}

/** Files without a pinned or listed sha256 get the one recorded the first time they were fetched. */
export async function withTrustedDigests(plan: DownloadPlan, options: PlanOptions): Promise<PlannedFile[]> {
  if (options.retrust) await forgetTrust(options.home, plan.files.filter((f) => f.trust !== 'pinned').map((f) => f.url));
  return Promise.all(
    plan.files.map(async (f) => {
      if (f.sha256) return f;
      const trusted = await trustedDigest(options.home, f.url);
      return trusted ? { ...f, sha256: trusted.sha256, size: f.size ?? trusted.size } : f;
    }),
  );
}

export function planAuthorization(entry: DownloadEntry, env: NodeJS.ProcessEnv): { host: string; value: string } | undefined {
  return entry.source.huggingface ? hubAuthorization(entry.source.huggingface, env) : undefined;
}
