// PURE's live previews through the host: a preview inside the job's own working folder reaches
// the page and can be loaded from it; a path anywhere else is never passed on nor served.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { JobEvent, WorkerRequestInput } from '../../protocol/messages';
import { StudioHost } from './studio-host';
import type { ExitReason, WorkerChild } from './worker-host';

const scratch = mkdtempSync(join(tmpdir(), 'pure-host-preview-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Sends one progress report naming a preview file it writes where `where(output)` says; never finishes. */
class PreviewWorker implements WorkerChild {
  readonly pid = 4343;
  private listeners: ((message: unknown) => void)[] = [];
  constructor(private readonly where: (output: string) => string) {}
  post(message: WorkerRequestInput): void {
    if (message.type !== 'restore') return;
    const preview = this.where(message.output!);
    mkdirSync(dirname(preview), { recursive: true });
    void sharp({ create: { width: 8, height: 6, channels: 3, background: '#456' } })
      .png()
      .toFile(preview)
      .then(() => this.listeners.forEach((l) => l({ type: 'progress', jobId: message.jobId, progress: { stage: 'restoring', fraction: 0.3, preview } })));
  }
  onMessage(listener: (message: unknown) => void): void {
    this.listeners.push(listener);
  }
  onExit(_listener: (code: number, reason?: ExitReason) => void): void {}
  kill(): void {}
}

async function previewThrough(where: (output: string) => string, name: string) {
  const base = join(scratch, name);
  mkdirSync(join(base, 'root'), { recursive: true });
  const photo = join(base, 'root', 'chelsea.png');
  copyFileSync(join(import.meta.dirname, '../../../test-data/photos/chelsea.png'), photo);
  const host = new StudioHost({
    info: { version: '0.0.0', transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir: join(base, 'state'),
    settingsFile: join(base, 'state', 'settings.json'),
    browseRoot: join(base, 'root'),
    spawnWorker: () => new PreviewWorker(where),
  });
  await host.start();
  const progress = new Promise<Extract<JobEvent, { type: 'progress' }>>((resolve) => host.onEvent((e) => e.type === 'progress' && resolve(e)));
  await host.open([photo], 'browse');
  await host.restore({ input: photo, options: { engine: 'pure' } });
  const event = await progress;
  await host.stop();
  return { host, event, outside: join(base, 'elsewhere', 'preview.png') };
}

test('a preview in a folder inside the job folder is passed on and served', async () => {
  const { host, event } = await previewThrough((output) => join(dirname(output), '.pure-preview-abc', 'preview-00001.png'), 'inside');
  assert.match(event.progress.preview ?? '', /\.pure-preview-abc[\\/]preview-00001\.png$/);
  const media = await host.media('image', event.progress.preview!);
  assert.ok(media, 'the page may load it');
  assert.equal(media.contentType, 'image/png');
});

test('a preview anywhere else is dropped from the report and not served', async () => {
  let outside = '';
  const { host, event } = await previewThrough((output) => (outside = join(dirname(dirname(dirname(output))), 'elsewhere', 'preview.png')), 'outside');
  assert.equal(event.progress.preview, undefined);
  assert.equal(event.progress.fraction, 0.3, 'the rest of the report still arrives');
  assert.equal(await host.media('image', outside), undefined);
});
