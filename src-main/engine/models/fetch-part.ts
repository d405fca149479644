// One attempt at one byte range of a download, written in place into the partial file. The
// caller owns retries and bookkeeping; this function only moves bytes and says what happened.
// `part.done` is advanced only after the bytes are written, so it never claims more than is on disk.
import type { FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { cancelledError, EngineError } from '../common/errors';
import { httpGet, type GetOptions } from './http-get';
import { describeUrl, httpStatusError, socketError, stalledError, TransferError } from './transfer-errors';
import { GUI_HINTS } from './gui-hints';

export interface Part {
  start: number;
  /** Exclusive end; null while the size is unknown (one stream to the end). */
  end: number | null;
  /** Bytes of this part already on disk. */
  done: number;
}

export interface ServerFacts {
  total?: number;
  etag?: string;
  lastModified?: string;
}

export interface PartContext {
  url: string;
  fh: FileHandle;
  get: Omit<GetOptions, 'headers'>;
  stallMs: number;
  /** Value for If-Range, so a file that changed on the server is sent whole instead of spliced. */
  validator?: string;
  /** Total size we believe the file has, if known. */
  total?: number;
  /** Only the single whole-file part may restart from zero when the server ignores Range. */
  single: boolean;
  onBytes(delta: number): void;
  onResponse(facts: ServerFacts): void;
  /** The server sent the whole file: the partial file is about to be rewritten from byte 0. */
  onRestart(): Promise<void>;
}

/** 'complete', or 'range-ignored' when a ranged request of a multi-part download got the whole file. */
export type PartOutcome = 'complete' | 'range-ignored';

function parseContentRange(value: string | undefined): { start: number; total?: number } | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) };
}

/** Content-Length or chunked transfer encoding: the two ways HTTP/1.1 says where a body ends. */
function hasEndMarker(headers: IncomingHttpHeaders): boolean {
  return headers['content-length'] !== undefined || /(^|,)\s*chunked\s*$/i.test(headers['transfer-encoding'] ?? '');
}

export async function fetchPart(part: Part, ctx: PartContext): Promise<PartOutcome> {
  const from = part.start + part.done;
  const ranged = from > 0 || !ctx.single;
  const headers: Record<string, string> = {};
  if (ranged) {
    headers.range = `bytes=${from}-${part.end !== null ? part.end - 1 : ''}`;
    if (ctx.validator) headers['if-range'] = ctx.validator;
  }
  const res = await httpGet(ctx.url, { ...ctx.get, headers });
  const body = res.body;
  try {
    const facts: ServerFacts = { etag: res.headers.etag, lastModified: res.headers['last-modified'] };
    if (res.status === 200) {
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && res.headers['content-length'] !== undefined) facts.total = length;
      if (ranged && !ctx.single) return 'range-ignored';
      if (ranged) {
        await ctx.onRestart(); // the server ignored Range (or the file changed): take it whole from here
        part.done = 0;
      }
    } else if (res.status === 416 && ctx.single) {
      // Asked for bytes past the end: either we already have the whole file, or it shrank.
      const total = Number(/\/(\d+)$/.exec(res.headers['content-range'] ?? '')?.[1] ?? NaN);
      if (total === from) {
        part.end = from;
        ctx.onResponse({ ...facts, total });
        return 'complete';
      }
      await ctx.onRestart();
      part.done = 0;
      throw new TransferError('NETWORK', `The server's copy of ${describeUrl(ctx.url)} changed; starting it again.`, undefined, true);
    } else if (res.status === 206 && ranged) {
      const range = parseContentRange(res.headers['content-range']);
      if (!range || range.start !== from) {
        throw new TransferError('NETWORK', `The server sent the wrong byte range for ${describeUrl(ctx.url)} (${res.headers['content-range'] ?? 'none'}).`, undefined, true);
      }
      facts.total = range.total;
    } else {
      throw httpStatusError(res.status, res.url);
    }
    ctx.onResponse(facts);
    await writeBody(part, body, ctx);
    // A body ends with the length the server announced, or with chunked encoding's last chunk
    // (the loop above may stop at the part's end before Node marks the body complete). Without
    // either (HTTP/1.0 style, ended by closing the connection) a drop is indistinguishable from
    // the end, and a cut file would be trusted on first use as whole.
    if (part.end !== null ? part.start + part.done < part.end : !body.complete) {
      throw new TransferError('NETWORK', `The connection to ${new URL(ctx.url).host} closed before the end of ${describeUrl(ctx.url)}.`, undefined, true);
    }
    if (part.end === null && !hasEndMarker(res.headers)) {
      throw new TransferError(
        'NETWORK',
        `The server sent ${describeUrl(ctx.url)} without a length or an end marker, so a complete file cannot be told from a cut one; refused.`,
        'Download the file another way and use `models import`, or ask the publisher for a server that sends Content-Length.',
        false,
        { gui: { hint: GUI_HINTS.noLength } },
      );
    }
    return 'complete';
  } finally {
    body.destroy();
  }
}

/** Streams the body to its place in the file, with a stall deadline that restarts on every chunk. */
async function writeBody(part: Part, body: IncomingMessage, ctx: PartContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void body.destroy(stalledError(ctx.url, ctx.stallMs)), ctx.stallMs);
  };
  const onAbort = (): void => void body.destroy(cancelledError());
  ctx.get.signal?.addEventListener('abort', onAbort, { once: true });
  arm();
  try {
    for await (const chunk of body) {
      arm();
      let bytes = chunk as Buffer;
      // Never write past the part: a misbehaving server must not overwrite the next part.
      if (part.end !== null) bytes = bytes.subarray(0, Math.max(0, part.end - (part.start + part.done)));
      if (bytes.length > 0) {
        await ctx.fh.write(bytes, 0, bytes.length, part.start + part.done);
        part.done += bytes.length;
        ctx.onBytes(bytes.length);
      }
      if (part.end !== null && part.start + part.done >= part.end) break;
    }
  } catch (error) {
    if (ctx.get.signal?.aborted) throw cancelledError();
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw new EngineError('DISK_FULL', 'The disk filled up during a model download.', 'Free some space, then pull again: the download resumes where it stopped.');
    throw socketError(error, ctx.url);
  } finally {
    clearTimeout(timer);
    ctx.get.signal?.removeEventListener('abort', onAbort);
  }
}
