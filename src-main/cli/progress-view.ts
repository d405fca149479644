// Progress on a terminal: one redrawn bar with stage, percent and ETA on a TTY, and plain
// lines (each stage, every 10%) when the output is a pipe or a log file.
import type { RestoreProgress } from '../protocol/restore';
import { formatDuration } from '../engine/common/eta';

const LABEL: Record<RestoreProgress['stage'], string> = {
  'loading-model': 'loading model',
  decoding: 'decoding',
  restoring: 'restoring',
  resizing: 'resizing',
  encoding: 'encoding',
  done: 'done',
};

export function describeProgress(p: RestoreProgress): string {
  const pct = `${Math.floor(p.fraction * 100)}%`.padStart(4);
  const tiles = p.tilesTotal ? ` tile ${p.tilesDone}/${p.tilesTotal}` : '';
  const eta = p.etaSeconds !== undefined ? ` · ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${pct} ${LABEL[p.stage]}${tiles}${eta}`;
}

export class ProgressView {
  private lastStage = '';
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    readonly prefix: string,
  ) {}

  /** `extra` follows the photo's own progress (a batch's ETA). */
  update(p: RestoreProgress, extra?: string): void {
    if (this.stream.isTTY) {
      const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 70));
      const filled = Math.round(p.fraction * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      this.stream.write(`\r\x1b[2K${this.prefix} ${bar} ${describeProgress(p)}${extra ? ` · ${extra}` : ''}`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(p.fraction * 10);
    if (p.stage !== this.lastStage || decile !== this.lastDecile) {
      this.stream.write(`${this.prefix} ${describeProgress(p)}${extra ? ` · ${extra}` : ''}\n`);
      this.lastStage = p.stage;
      this.lastDecile = decile;
    }
  }

  /** Ends the bar's line so that the next message starts clean. */
  end(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
