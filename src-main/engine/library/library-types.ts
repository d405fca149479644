// What the library keeps per photo, and the store interface the CLI batch and the app share.
// Kept small on purpose: a shared queue for several machines could implement it later.
import type { ErrorPayload } from '../common/errors';

export type PhotoState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** The input as it was when its output was made: size + mtime first, the hash decides. */
export interface InputFingerprint {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** A photo found in a source: where it is and where it sits in the mirrored tree. */
export interface FoundInput {
  /** Absolute path of the original. */
  input: string;
  /** The folder it was found from (for a file given by name: its folder). */
  sourceRoot: string;
  /** Path relative to sourceRoot, '/'-separated: the output mirrors it. */
  rel: string;
}

export interface PhotoRecord extends FoundInput {
  id: number;
  scope: string;
  state: PhotoState;
  /** Planned (once chosen it stays, so a rerun replaces its own output) or written. */
  output?: string;
  settingsHash?: string;
  fingerprint?: InputFingerprint;
  error?: ErrorPayload;
  attempts: number;
  /** Per-photo settings over the library's (engine, scale, PURE caption and seed...). */
  overrides?: Record<string, unknown>;
  /** What the restoration reported (JSON of the engine's result, trimmed by the caller). */
  result?: Record<string, unknown>;
  /** Fast noise/blur estimate of the input, for sorting the worst first. */
  triage?: Record<string, unknown>;
  /** Place in the queue, lower first; undefined when not queued. */
  queuePos?: number;
  /** App: when the result was saved into the output folder. */
  savedAt?: number;
  addedAt: number;
  updatedAt: number;
}

export interface StateCounts {
  pending: number;
  running: number;
  done: number;
  failed: number;
  skipped: number;
  total: number;
}

export interface ListQuery {
  states?: readonly PhotoState[];
  /** 'queue': queued first by position; 'path': by source and relative path. */
  order?: 'queue' | 'path';
  limit?: number;
  offset?: number;
}

export interface LibraryStore {
  /** Adds photos not in the scope yet (one transaction); returns every given photo's record. */
  add(scope: string, found: readonly FoundInput[]): PhotoRecord[];
  get(id: number): PhotoRecord | undefined;
  byInput(scope: string, input: string): PhotoRecord | undefined;
  list(scope: string, query?: ListQuery): PhotoRecord[];
  counts(scope: string): StateCounts;
  /** Whether any scope planned or wrote `path` as an output (so it is never read as an input). */
  isOutput(path: string): boolean;
  /** Outputs planned by photos of any scope inside `folder` (to choose free names). */
  outputsIn(folder: string): Set<string>;
  /** Fixes where a photo's output goes, before it is restored. */
  planOutput(id: number, output: string): void;
  markRunning(id: number, settingsHash: string): void;
  markDone(id: number, done: { output: string; settingsHash: string; fingerprint: InputFingerprint; result?: Record<string, unknown> }): void;
  markFailed(id: number, error: ErrorPayload): void;
  markSkipped(id: number, reason: ErrorPayload): void;
  /** Back to pending (retry, redo); keeps the planned output so it is replaced in place. */
  markPending(ids: readonly number[]): void;
  /** Photos left 'running' by a killed process become pending again; returns how many. */
  recoverInterrupted(scope: string): number;
  setOverrides(id: number, overrides: Record<string, unknown> | undefined): void;
  setTriage(id: number, triage: Record<string, unknown>): void;
  setQueuePos(id: number, pos: number | undefined): void;
  markSaved(id: number, at: number | undefined): void;
  /** Removes photos from the library (never from disk). */
  remove(ids: readonly number[]): void;
  addSource(scope: string, path: string, recursive: boolean): void;
  sources(scope: string): { path: string; recursive: boolean }[];
  removeSource(scope: string, path: string): void;
  getMeta(scope: string, key: string): string | undefined;
  setMeta(scope: string, key: string, value: string | undefined): void;
  close(): void;
}
