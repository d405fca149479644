// One photo in the library and where its restoration stands. A rune-based class: components read
// its fields and re-render when they change.
import type { PhotoItem } from '../../../src-main/protocol/api';
import type { ErrorPayload, JobEvent } from '../../../src-main/protocol/messages';
import type { Region, RestoreProgress, RestoreResult } from '../../../src-main/protocol/restore';

export type PhotoStatus = 'ready' | 'queued' | 'running' | 'done' | 'failed';

export class PhotoEntry {
  readonly item: PhotoItem;
  /** The job now queued or running for this photo. */
  jobId = $state<string | undefined>();
  progress = $state<RestoreProgress | undefined>();
  /** The region the running job restores: its previews show only that part. */
  jobRegion = $state<Region | undefined>();
  /** The latest successful result; kept while a new run is going, so the comparison stays. */
  result = $state<RestoreResult | undefined>();
  /** The last run's failure, or the file's own problem found when it was opened. */
  error = $state<ErrorPayload | undefined>();
  cancelling = $state(false);
  /** The file this result was last saved to. */
  savedTo = $state<string | undefined>();

  constructor(item: PhotoItem) {
    this.item = item;
    this.error = item.problem;
  }

  get status(): PhotoStatus {
    if (this.jobId) return this.progress ? 'running' : 'queued';
    if (this.error) return 'failed';
    return this.result ? 'done' : 'ready';
  }

  get busy(): boolean {
    return this.jobId !== undefined;
  }

  started(jobId: string, region?: Region): void {
    this.jobId = jobId;
    this.jobRegion = region;
    this.progress = undefined;
    this.error = undefined;
    this.cancelling = false;
  }

  /** Applies an event of this photo's job; returns true when the job ended. */
  apply(event: JobEvent): boolean {
    if (event.jobId !== this.jobId) return false;
    switch (event.type) {
      case 'progress':
        this.progress = event.progress;
        return false;
      case 'done':
        this.result = event.result;
        this.savedTo = undefined;
        break;
      case 'failed':
        // A cancel is what the person asked for: back to where the photo was, no error shown.
        if (event.error.code !== 'CANCELLED') this.error = event.error;
        break;
    }
    this.jobId = undefined;
    this.jobRegion = undefined;
    this.progress = undefined;
    this.cancelling = false;
    return true;
  }
}
