// Triage: after photos are opened, the fast degradation estimate (engine/quality/perception.ts,
// the same measurement every restore reports) runs over the library in the background, one photo
// at a time on a small decode (at most TRIAGE_EDGE px a side: milliseconds per photo), so that the
// page can sort and filter by noise and blur and suggest PURE where the damage is large. It also
// learns each photo's pixel size, which opening does not read. Levels measured on the small
// decode are coarser than a restore's (shrinking hides fine noise); they order photos, no more.
import { setTimeout as delay } from 'node:timers/promises';
import sharp from 'sharp';
import { toErrorPayload } from '../../engine/common/errors';
import type { LibraryStore, PhotoRecord } from '../../engine/library/library-types';
import { perceive } from '../../engine/quality/perception';
import type { PhotoTriage } from '../../protocol/api';

export const TRIAGE_EDGE = 512;
/** Triage waits this long after photos are opened: the page lists them first. */
const START_DELAY_MS = 1000;
/** Decodes larger than this are refused (the engine's decompression-bomb guard). */
const MAX_PIXELS = 40_000_000;

/** What triage stores per photo (the store keeps it as JSON). */
export type StoredTriage = Partial<PhotoTriage> & { width?: number; height?: number; bytes?: number; unreadable?: string };

export async function triagePhoto(path: string): Promise<StoredTriage> {
  try {
    const image = sharp(path, { failOn: 'truncated', limitInputPixels: MAX_PIXELS, pages: 1 }).autoOrient();
    const meta = await image.metadata();
    const { data, info } = await image
      .resize({ width: TRIAGE_EDGE, height: TRIAGE_EDGE, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const upright = meta.autoOrient ?? meta;
    const stored: StoredTriage = { width: upright.width, height: upright.height, bytes: meta.size };
    const perception = perceive({ width: info.width, height: info.height, channels: 3, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
    // Too small or too flat to measure: the size is still worth keeping.
    if (!perception) return stored;
    return {
      ...stored,
      noise: perception.noise,
      blur: perception.blur,
      noiseSigma: perception.estimates.noiseSigma,
      blurSigma: perception.estimates.blurSigma,
      suggestPure: perception.noise === 'large' || perception.blur === 'large',
    };
  } catch (error) {
    // HEIC (no decoder in sharp) or a damaged file: not triaged, and not tried again every start.
    return { unreadable: toErrorPayload(error).code };
  }
}

export interface TriageRunnerOptions {
  store: LibraryStore;
  /** The photos to look at, when the runner wakes. */
  records: () => PhotoRecord[];
  /** A photo's triage was stored. */
  triaged: (id: number) => Promise<void>;
  log: (line: string) => void;
}

/** Works through photos without a triage, one at a time, until none is left or it is stopped. */
export class TriageRunner {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Ends the start delay early when stopped. */
  private readonly stopping = new AbortController();

  constructor(private readonly o: TriageRunnerOptions) {}

  /** Starts (or, when running, goes round once more for photos added since). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run()
      .catch((error: unknown) => this.o.log(`triage stopped: ${toErrorPayload(error).message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.running;
  }

  /** Resolves when nothing is left to triage (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    await delay(START_DELAY_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    for (const record of this.o.records().filter((r) => r.triage === undefined)) {
      if (this.stopped) return;
      // One photo at a time, with the page's requests and the queue's events in between.
      await new Promise((resolve) => setImmediate(resolve));
      const triage = await triagePhoto(record.input);
      if (this.stopped) return;
      try {
        this.o.store.setTriage(record.id, triage);
      } catch {
        continue; // removed from the library meanwhile
      }
      await this.o.triaged(record.id);
    }
  }
}
