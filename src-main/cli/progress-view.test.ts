// Piped progress of a long PURE run: a line at least every minute of a (fake) two-hour tile,
// including across a seven-minute prefill that reports nothing, each with the phase, tokens
// done/total, tokens per second and the ETA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RestoreProgress } from '../protocol/restore';
import { HEARTBEAT_MS, ProgressView, type ProgressClock } from './progress-view';

/** A clock that only moves when told; timers fire in time order as it passes them. */
class FakeClock implements ProgressClock {
  t = 0;
  private timers: { at: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((x) => x !== timer));
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.length;
  }
}

/** A piped stderr: every line with the fake time it was written at. */
function pipe(clock: FakeClock): { stream: NodeJS.WriteStream; lines: { at: number; text: string }[] } {
  const lines: { at: number; text: string }[] = [];
  const stream = { isTTY: false, write: (text: string) => lines.push({ at: clock.now(), text }) };
  return { stream: stream as unknown as NodeJS.WriteStream, lines };
}

test('a piped log gets a line at least every minute of a two-hour PURE tile, with phase, tokens, speed and ETA', () => {
  const clock = new FakeClock();
  const { stream, lines } = pipe(clock);
  const view = new ProgressView(stream, 'photo.jpg', clock);
  const total = 4420;
  const tokensPerSecond = 0.6;
  view.update({ stage: 'loading-model', fraction: 0.02 });
  clock.advance(55_000);
  // The prefill: one long call, no progress for seven minutes.
  view.update({ stage: 'restoring', fraction: 0.1, tilesDone: 0, tilesTotal: 1, phase: 'perceive', token: 0, totalTokens: total, rows: 64, rowsDone: 0 });
  clock.advance(7 * 60_000);
  // Then a report every 250 ms while the tokens come at 0.6/s: two hours, less than 10% apart.
  for (let token = 1; token <= total; token++) {
    const phase = token < 40 ? 'perceive' : token < 256 ? 'understand' : 'restore';
    const p: RestoreProgress = {
      stage: 'restoring',
      fraction: 0.1 + 0.08 * (token / total),
      tilesDone: 0,
      tilesTotal: 1,
      phase,
      token,
      totalTokens: total,
      rows: 64,
      rowsDone: phase === 'restore' ? Math.floor((token - 256) / 65) : 0,
      tokensPerSecond,
      etaSeconds: (total - token) / tokensPerSecond,
    };
    for (let tick = 0; tick < 1 / (tokensPerSecond * 0.25); tick++) {
      view.update(p);
      clock.advance(250);
    }
  }
  view.end();
  assert.equal(clock.pending, 0, 'end() stops the minute lines');

  const gaps = lines.slice(1).map((line, i) => line.at - lines[i].at);
  assert.ok(clock.now() > 2 * 3600_000, 'the run lasted two hours');
  assert.ok(Math.max(...gaps) <= HEARTBEAT_MS, `longest silence ${Math.max(...gaps) / 1000} s`);
  const prefill = lines.filter((l) => /still working, last update \d+ min/.test(l.text));
  assert.ok(prefill.length >= 6, 'the silent prefill still gets a line a minute, saying since when');
  const image = lines.filter((l) => l.text.includes('restore (image)'));
  assert.ok(image.length >= 100);
  for (const line of image) assert.match(line.text, /tokens \d+\/4420 · rows \d+\/64 · 0\.60 tokens\/s · ETA \d/);
  assert.ok(lines.some((l) => l.text.includes('understand (caption text)')), 'each phase is named');
});

test('a TTY still gets one redrawn line and no minute lines', () => {
  const clock = new FakeClock();
  const written: string[] = [];
  const tty = { isTTY: true, columns: 120, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  const view = new ProgressView(tty, 'x', clock);
  view.update({ stage: 'restoring', fraction: 0.5, phase: 'restore', token: 10, totalTokens: 20, tokensPerSecond: 1 });
  clock.advance(10 * 60_000);
  assert.equal(written.length, 1);
  assert.ok(written[0].startsWith('\r'));
  view.end();
});
