// Progress on a terminal: one redrawn bar with stage, percent and ETA on a TTY, and plain lines
// when the output is a pipe or a log file: at each stage or PURE phase change, every 10%, and at
// least once a minute (a PURE tile runs for an hour or more on a CPU, and a log that is silent for
// ten minutes looks hung). The minute line repeats the latest progress even when none has
// arrived since (a long prefill is one call), saying how long ago that was.
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

/** PURE's three phases as a person reads them. */
const PHASE: Record<NonNullable<RestoreProgress['phase']>, string> = {
  perceive: 'perceive (degradation text)',
  understand: 'understand (caption text)',
  restore: 'restore (image)',
};

/** The longest a piped log stays silent while work goes on. */
export const HEARTBEAT_MS = 60_000;

/** Time and a one-shot timer, injected so that a test can run an hour in a millisecond. */
export interface ProgressClock {
  now(): number;
  /** Calls `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: ProgressClock = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref(); // never what keeps the process alive
    return () => clearTimeout(timer);
  },
};

/** PURE's place in the token stream: phase, tokens done/total, image rows, tokens per second. */
function describePure(p: RestoreProgress): string {
  if (!p.phase) return '';
  const tokens = p.token !== undefined && p.totalTokens ? ` · tokens ${p.token}/${p.totalTokens}` : '';
  const rows = p.phase === 'restore' && p.rows ? ` · rows ${p.rowsDone ?? 0}/${p.rows}` : '';
  const speed = p.tokensPerSecond !== undefined ? ` · ${p.tokensPerSecond.toFixed(2)} tokens/s` : '';
  return ` · ${PHASE[p.phase]}${tokens}${rows}${speed}`;
}

/**
 * A photo's progress with `seconds` left standing in for its own ETA, which needs a tile or two
 * done: until then, what this machine's measured speed says. A finished photo has none.
 */
export function withFallbackEta(p: RestoreProgress, seconds: number | undefined): RestoreProgress {
  return p.stage !== 'done' && p.etaSeconds === undefined && seconds !== undefined ? { ...p, etaSeconds: seconds } : p;
}

export function describeProgress(p: RestoreProgress): string {
  const pct = `${Math.floor(p.fraction * 100)}%`.padStart(4);
  const tiles = p.tilesTotal ? ` tile ${p.tilesDone}/${p.tilesTotal}` : '';
  const eta = p.etaSeconds !== undefined ? ` · ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${pct} ${LABEL[p.stage]}${tiles}${describePure(p)}${eta}`;
}

export class ProgressView {
  private lastStage = '';
  private lastPhase: string | undefined;
  private lastDecile = -1;
  private drawn = false;
  /** The latest progress and its `extra`, when it arrived, and when a line was last written. */
  private latest: { p: RestoreProgress; extra: string | undefined; at: number } | undefined;
  private lastLineAt = 0;
  private cancelHeartbeat: (() => void) | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    readonly prefix: string,
    private readonly clock: ProgressClock = systemClock,
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
    const now = this.clock.now();
    this.latest = { p, extra, at: now };
    const decile = Math.floor(p.fraction * 10);
    const changed = p.stage !== this.lastStage || p.phase !== this.lastPhase || decile !== this.lastDecile;
    if (changed || now - this.lastLineAt >= HEARTBEAT_MS) this.writeLine(now);
  }

  /** Ends the bar's line so that the next message starts clean; stops the minute lines. */
  end(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    this.cancelHeartbeat?.();
    this.cancelHeartbeat = undefined;
    this.latest = undefined;
  }

  private writeLine(now: number): void {
    const latest = this.latest;
    if (!latest) return;
    const { p, extra } = latest;
    const quiet = now - latest.at >= HEARTBEAT_MS ? ` · still working, last update ${formatDuration((now - latest.at) / 1000)} ago` : '';
    this.stream.write(`${this.prefix} ${describeProgress(p)}${extra ? ` · ${extra}` : ''}${quiet}\n`);
    this.lastStage = p.stage;
    this.lastPhase = p.phase;
    this.lastDecile = Math.floor(p.fraction * 10);
    this.lastLineAt = now;
    // The next line comes at the latest a minute from now, whether or not progress arrives.
    this.cancelHeartbeat?.();
    this.cancelHeartbeat = this.clock.after(HEARTBEAT_MS, () => this.writeLine(this.clock.now()));
  }
}
