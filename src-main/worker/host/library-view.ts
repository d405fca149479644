// How a library record (engine/library) reads to the page (protocol LibraryPhoto), and what of
// an engine result the library keeps. Paths handed to the page are first allowed in the media
// scope, since the page shows every photo and output by URL; that costs a realpath each, so it
// is done once per path and remembered.
import { realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import type { PhotoRecord } from '../../engine/library/library-types';
import type { LibraryPhoto, LibraryResult, PhotoTriage } from '../../protocol/api';
import type { MediaScope } from '../../protocol/media-scope';
import type { StoredTriage } from './library-triage';
import type { RestoreResult } from '../../protocol/restore';

/** The canonical paths the scope already allows, by the path they were asked for. */
export class ScopedPaths {
  private readonly allowed = new Map<string, string>();
  /** Which real paths may be allowed at all (the bridge: inside its root or its state folder). */
  within: (real: string) => boolean = () => true;

  constructor(private readonly scope: MediaScope) {}

  /**
   * The canonical path, now allowed; the path itself when the file is gone (the page shows a
   * placeholder) or lies where this run may not serve from (a symbolic link leading out).
   */
  async allow(path: string): Promise<string> {
    const known = this.allowed.get(path);
    if (known !== undefined) return known;
    try {
      if (!this.within(await realpath(path))) return path;
      const real = await this.scope.allowFile(path);
      this.allowed.set(path, real);
      return real;
    } catch {
      return path;
    }
  }

  /** Forgets a path whose file was replaced (a new output at the same name is allowed again). */
  forget(path: string): void {
    this.allowed.delete(path);
  }
}

/** What the library keeps of a result: what the page shows again after a restart, no more. */
export function keptResult(result: RestoreResult, savedTo?: string): Record<string, unknown> {
  const kept: LibraryResult & { savedTo?: string } = {
    engine: result.engine,
    provider: result.provider,
    inputSize: result.inputSize,
    outputSize: result.outputSize,
    seconds: result.timings.totalMs / 1000,
  };
  if (result.perception) kept.perception = result.perception;
  if (result.pure) {
    kept.pure = { caption: result.pure.caption, text: result.pure.text, model: result.pure.model, testModel: result.pure.testModel, entropyMap: result.pure.entropyMap };
  }
  // Where an earlier result of this photo was saved: a redo replaces that file, never adds "-2".
  if (savedTo) kept.savedTo = savedTo;
  return kept as unknown as Record<string, unknown>;
}

/** The file an earlier result of the photo was saved to, if any. */
export function savedTo(record: PhotoRecord): string | undefined {
  if (record.savedAt !== undefined && record.output) return record.output;
  const kept = record.result?.savedTo;
  return typeof kept === 'string' ? kept : undefined;
}

export function libraryState(record: PhotoRecord): LibraryPhoto['state'] {
  return record.state === 'pending' && record.queuePos === undefined ? 'idle' : record.state;
}

/** The page's view of a record; `path` and `output` must already be allowed (see ScopedPaths). */
export function toLibraryPhoto(record: PhotoRecord, paths: { path: string; output?: string; jobId?: string }): LibraryPhoto {
  const state = libraryState(record);
  const photo: LibraryPhoto = { id: record.id, path: paths.path, name: basename(record.input), folder: record.sourceRoot, rel: record.rel, state };
  if (state === 'pending' && record.queuePos !== undefined) photo.queuePos = record.queuePos;
  if (state === 'running' && paths.jobId) photo.jobId = paths.jobId;
  if (record.error && (state === 'failed' || state === 'skipped')) photo.error = record.error;
  if (paths.output && record.state === 'done') photo.output = paths.output;
  if (record.savedAt !== undefined && record.state === 'done') photo.savedAt = record.savedAt;
  const result = record.result as (LibraryResult & { savedTo?: string }) | undefined;
  if (result) {
    const { savedTo: _where, ...shown } = result;
    photo.result = shown;
  }
  if (record.triage) {
    const { width, height, bytes, noise, blur, noiseSigma, blurSigma, suggestPure } = record.triage as StoredTriage;
    if (noise && blur) {
      const triage: PhotoTriage = { noise, blur, suggestPure: suggestPure === true };
      if (noiseSigma !== undefined) triage.noiseSigma = noiseSigma;
      if (blurSigma !== undefined) triage.blurSigma = blurSigma;
      photo.triage = triage;
    }
    if (width && height) [photo.width, photo.height] = [width, height];
    if (bytes !== undefined) photo.bytes = bytes;
  }
  if (photo.width === undefined && result?.inputSize) [photo.width, photo.height] = [result.inputSize.width, result.inputSize.height];
  if (photo.bytes === undefined && record.fingerprint) photo.bytes = record.fingerprint.size;
  if (record.overrides && Object.keys(record.overrides).length) photo.overrides = record.overrides;
  return photo;
}

// One collator for every comparison: String.localeCompare with options builds one per call, which
// makes sorting 10,000 photos take most of a second.
const natural = new Intl.Collator(undefined, { numeric: true }).compare;

/** By opened folder, then path inside it in natural order ("img2" before "img10"): how the library lists. */
export function byPlace(a: PhotoRecord, b: PhotoRecord): number {
  return natural(a.sourceRoot, b.sourceRoot) || natural(a.rel, b.rel);
}
