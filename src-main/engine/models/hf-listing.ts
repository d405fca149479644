// Lists a Hugging Face model repo at pull time, so the catalog need not guess shard names: the
// Hub's model-info API (GET /api/models/<repo>/revision/<rev>?blobs=true) gives the commit and,
// per file, its size and either the LFS sha256 (weights) or the git blob id (small files). Files
// are then fetched from /<repo>/resolve/<commit>/<file>: pinned to that commit, so a resumed
// download never splices two versions. HF_ENDPOINT (a mirror) and HF_TOKEN are honoured.
import * as v from 'valibot';
import { EngineError } from '../common/errors';
import type { HuggingFaceSource } from './catalog';
import type { RemoteFile } from './download-file';
import { httpGet, type GetOptions } from './http-get';
import { describeUrl, httpStatusError } from './transfer-errors';
import { isAllowedUrl, isSafeRelativeName, URL_RULE } from './url-policy';
import { GUI_HINTS } from './gui-hints';

const InfoSchema = v.object({
  sha: v.pipe(v.string(), v.regex(/^[0-9a-f]{40}$/)),
  siblings: v.array(
    v.object({
      rfilename: v.string(),
      size: v.optional(v.number()),
      blobId: v.optional(v.string()),
      lfs: v.optional(v.object({ sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)), size: v.number() })),
    }),
  ),
});

export interface HfListing {
  commit: string;
  files: RemoteFile[];
  /** Authorization for the Hub's own host (never sent to the CDN it redirects to). */
  authorization?: { host: string; value: string };
}

/** `*` within one folder, `**` across folders, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export const matchesAny = (name: string, globs: readonly string[]): boolean => globs.some((g) => globToRegExp(g).test(name));

export function hubEndpoint(source: HuggingFaceSource, env: NodeJS.ProcessEnv): string {
  const endpoint = (source.endpoint ?? env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  if (!isAllowedUrl(endpoint)) throw new EngineError('INVALID_OPTION', `HF_ENDPOINT ${endpoint} ${URL_RULE}.`);
  return endpoint;
}

/** Checks that every `require` glob matches one of the chosen files (the repo is what we expect). */
export function missingRequired(names: readonly string[], require: readonly string[]): string[] {
  return require.filter((glob) => !names.some((n) => globToRegExp(glob).test(n)));
}

async function readJson(body: AsyncIterable<unknown>, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new EngineError('NETWORK', 'The model listing is unexpectedly large.');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Bearer token for the Hub's own host, from HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN). */
export function hubAuthorization(source: HuggingFaceSource, env: NodeJS.ProcessEnv): { host: string; value: string } | undefined {
  const token = env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  return token ? { host: new URL(hubEndpoint(source, env)).host, value: `Bearer ${token}` } : undefined;
}

export async function listHuggingFace(source: HuggingFaceSource, options: Pick<GetOptions, 'signal' | 'env' | 'proxy' | 'timeoutMs'>): Promise<HfListing> {
  const env = options.env ?? process.env;
  const endpoint = hubEndpoint(source, env);
  const authorization = hubAuthorization(source, env);
  const url = `${endpoint}/api/models/${source.repo}/revision/${encodeURIComponent(source.revision)}?blobs=true`;
  const res = await httpGet(url, { ...options, authorization, headers: { accept: 'application/json' } });
  let json: unknown;
  try {
    if (res.status !== 200) {
      if (res.status === 404 || res.status === 401) {
        throw new EngineError('NETWORK', `Hugging Face has no repo ${source.repo} at revision ${source.revision} (HTTP ${res.status}).`, 'It may be private or gated: accept its terms on huggingface.co and set HF_TOKEN, or update PURE Studio.');
      }
      throw httpStatusError(res.status, res.url);
    }
    json = await readJson(res.body, 8 << 20);
  } catch (error) {
    if (error instanceof SyntaxError) throw new EngineError('NETWORK', `The listing of ${source.repo} from ${describeUrl(url)} is not JSON.`);
    throw error;
  } finally {
    res.body.destroy();
  }
  const parsed = v.safeParse(InfoSchema, json);
  if (!parsed.success) throw new EngineError('NETWORK', `The listing of ${source.repo} is not in the expected form (${parsed.issues[0].message}).`);
  const { sha, siblings } = parsed.output;

  const chosen = siblings.filter((s) => matchesAny(s.rfilename, source.include));
  const unsafe = chosen.find((s) => !isSafeRelativeName(s.rfilename));
  if (unsafe) throw new EngineError('MODEL_FORMAT', `${source.repo} lists a file name we will not write: ${JSON.stringify(unsafe.rfilename)}.`);
  const missing = missingRequired(chosen.map((s) => s.rfilename), source.require);
  if (missing.length) {
    throw new EngineError('MODEL_FORMAT', `${source.repo}@${sha.slice(0, 8)} has no file matching ${missing.join(', ')}; it is not laid out as expected.`, 'The repo changed: update PURE Studio, or download it yourself and use `models import`.', {
      gui: { hint: GUI_HINTS.repoChanged },
    });
  }
  const files = chosen.map(
    (s): RemoteFile => ({
      name: s.rfilename,
      url: `${endpoint}/${source.repo}/resolve/${sha}/${s.rfilename.split('/').map(encodeURIComponent).join('/')}`,
      size: s.lfs?.size ?? s.size,
      sha256: s.lfs?.sha256,
      gitSha1: s.lfs ? undefined : s.blobId,
    }),
  );
  return { commit: sha, files, authorization };
}
