// The `models` command, separate from its process entry (models.ts) so tests run it in-process:
// argv, output streams, environment and a cancel signal in; an exit code out.
import { parseArgs } from 'node:util';
import { EngineError, toErrorPayload, type ErrorPayload } from '../engine/common/errors';
import { formatDuration } from '../engine/common/eta';
import { formatBytes } from '../engine/models/disk-space';
import { ModelManager } from '../engine/models/model-manager';
import type { ModelProgress } from '../engine/models/model-progress';
import type { ModelInfo } from '../engine/models/model-status';
import { EXIT, exitCodeFor } from './exit-codes';

const MODELS_USAGE = `npm run models -- <command> [options]

  list                       every model: status, size on disk, where it lives
  pull <id>                  download, check, convert and install (resumes where it stopped;
                             Ctrl-C pauses)
  import <dir> [--id <id>]   install from a folder (only read, never changed): a converted
                             package (for PURE: what \`npm run convert -- pure\` wrote), checked
                             and validated; or the original files, converted (for PURE: the
                             Hugging Face checkpoint plus tokenizer/vq_ds8_c2i.pt)
  verify <id>                re-hash every file of an installed model
  remove <id>                delete a model and its downloads
  move <dir>                 move the models folder (and everything in it) to <dir>

      --json                 one JSON object (or array, for list) on stdout
      --wait                 pull: wait while another PURE Studio installs the same model
      --keep-downloads       pull, remove: keep the original downloaded files
      --retrust              pull: accept files that changed since they were first downloaded
      --parts <n>            pull: parallel connections per large file (default 4)

Environment: PURE_STUDIO_HOME (data folder), PURE_STUDIO_CATALOG (a catalog file to use instead
of the built-in one), HTTPS_PROXY / HTTP_PROXY / NO_PROXY, HF_TOKEN, HF_ENDPOINT.`;

function describe(p: ModelProgress): string {
  if (p.phase === 'downloading' && p.bytesTotal) {
    const pct = `${Math.min(100, Math.floor(((p.bytesDone ?? 0) / p.bytesTotal) * 100))}%`.padStart(4);
    const rate = p.bytesPerSecond ? ` · ${formatBytes(p.bytesPerSecond)}/s` : '';
    const eta = p.etaSeconds !== undefined ? ` · ETA ${formatDuration(p.etaSeconds)}` : '';
    return `${pct} downloading ${p.file ?? ''} (${formatBytes(p.bytesDone ?? 0)} of ${formatBytes(p.bytesTotal)})${rate}${eta}`;
  }
  const fraction = p.fraction !== undefined ? ` ${Math.floor(p.fraction * 100)}%` : '';
  return `${p.phase}${p.file ? ` ${p.file}` : ''}${fraction}${p.message ? ` - ${p.message}` : ''}`;
}

export interface TextOut {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ModelsIo {
  stdout: TextOut;
  stderr: TextOut;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/** A redrawn line on a terminal; on a pipe, one line per phase and per 10% of a download. */
function progressPrinter(stream: TextOut): { update: (p: ModelProgress) => void; end: () => void } {
  let last = '';
  let drawn = false;
  return {
    update(p) {
      const line = `${p.id}: ${describe(p)}`;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
        drawn = true;
        return;
      }
      const key = p.phase === 'downloading' && p.bytesTotal ? `${p.phase}${Math.floor(((p.bytesDone ?? 0) / p.bytesTotal) * 10)}` : `${p.phase}${p.file ?? ''}${p.message ?? ''}`;
      if (key !== last) stream.write(`${line}\n`);
      last = key;
    },
    end() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

const STATUS_WORDS: Record<ModelInfo['status'], string> = {
  ready: 'ready',
  unverified: 'ready (unverified)',
  downloading: 'downloading',
  converting: 'converting',
  paused: 'paused',
  downloaded: 'downloaded, not converted',
  failed: 'failed',
  damaged: 'damaged',
  'not-installed': 'not installed',
};

function printList(models: ModelInfo[], manager: ModelManager, stdout: TextOut): void {
  const rows = models.map((m) => [m.id, `${STATUS_WORDS[m.status]}${m.testModel ? ' (TEST MODEL)' : ''}`, m.sizeOnDisk ? formatBytes(m.sizeOnDisk) : '-', formatBytes(m.requirements.downloadBytes)]);
  const header = ['MODEL', 'STATUS', 'ON DISK', 'DOWNLOAD'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) stdout.write(`${row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`);
  for (const m of models.filter((x) => x.problem || x.busy)) {
    stdout.write(`\n${m.id}: ${m.problem ?? ''}${m.busy ? `busy: process ${m.busy.pid} is ${m.busy.activity} it` : ''}`);
  }
  for (const m of models.filter((x) => x.status === 'failed' && x.failure)) {
    const f = m.failure!;
    const retry = m.downloadedBytes > 0 ? ' (resumes what was kept)' : '';
    stdout.write(`\n${m.id}: ${f.stage === 'download' ? 'download' : 'conversion'} failed: error ${f.code}: ${f.message}${f.hint ? `\n  ${f.hint}` : ''}`);
    stdout.write(`\n  Retry: npm run models -- pull ${m.id}${retry}. Discard: npm run models -- remove ${m.id}.`);
  }
  stdout.write(`\nModels folder: ${manager.modelsDir}\n`);
}

function printError(error: ErrorPayload, stderr: TextOut): void {
  stderr.write(`error ${error.code}: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}\n`);
}

async function run(argv: string[], io: ModelsIo): Promise<number> {
  const { stdout, stderr, signal } = io;
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      'keep-downloads': { type: 'boolean', default: false },
      retrust: { type: 'boolean', default: false },
      parts: { type: 'string' },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg, ...extra] = positionals;
  if (values.help || !command) {
    stdout.write(`${MODELS_USAGE}\n`);
    return values.help ? EXIT.OK : EXIT.USAGE;
  }
  const needsArg = ['pull', 'import', 'verify', 'remove', 'move'];
  if (!['list', ...needsArg].includes(command)) throw new EngineError('INVALID_OPTION', `Unknown command "${command}".`, 'Run `npm run models -- --help`.');
  if (needsArg.includes(command) && !arg) throw new EngineError('INVALID_OPTION', `\`${command}\` needs ${command === 'import' || command === 'move' ? 'a folder' : 'a model id'}.`);
  if (extra.length) throw new EngineError('INVALID_OPTION', `Unexpected arguments: ${extra.join(' ')}.`);
  const parts = values.parts === undefined ? undefined : Number(values.parts);
  if (parts !== undefined && !(Number.isInteger(parts) && parts >= 1 && parts <= 16)) throw new EngineError('INVALID_OPTION', '--parts must be a whole number from 1 to 16.');

  const manager = new ModelManager({ env: io.env, pull: parts ? { transfer: { parts } } : {} });
  const out = (value: unknown): void => void stdout.write(`${JSON.stringify(value)}\n`);
  const view = progressPrinter(stderr);
  const onProgress = (p: ModelProgress): void => view.update(p);
  try {
    switch (command) {
      case 'list': {
        const models = await manager.list();
        if (values.json) out(models);
        else printList(models, manager, stdout);
        return EXIT.OK;
      }
      case 'pull': {
        const outcome = await manager.pull(arg, { signal, onProgress, wait: values.wait, keepDownloads: values['keep-downloads'], retrust: values.retrust });
        view.end();
        const info = await manager.info(arg);
        if (values.json) out({ ok: true, id: arg, outcome, status: info.status, dir: info.dir });
        else stderr.write(`${arg}: ${outcome === 'present' ? 'already installed' : 'installed'} (${STATUS_WORDS[info.status]}) in ${info.dir}\n`);
        return EXIT.OK;
      }
      case 'import': {
        const result = await manager.import(arg, { id: values.id, signal, onProgress });
        view.end();
        const info = await manager.info(result.id);
        if (values.json) out({ ok: true, ...result, status: info.status, testModel: info.testModel, dir: info.dir });
        else {
          const how = result.kind === 'package' ? 'converted package' : 'original files, converted';
          stderr.write(`${result.id}: imported (${how}) in ${info.dir}: ${STATUS_WORDS[info.status]}${info.testModel ? ', TEST MODEL' : ''}.\n`);
        }
        return EXIT.OK;
      }
      case 'verify': {
        const report = await manager.verify(arg, { signal, onProgress });
        view.end();
        if (values.json) out({ ok: report.status !== 'damaged', ...report });
        if (report.status === 'not-installed') throw new EngineError('MODEL_MISSING', `Model "${arg}" is not installed.`, `Run \`npm run models -- pull ${arg}\`.`);
        if (report.status === 'damaged') throw new EngineError('DIGEST_MISMATCH', `Model "${arg}" is damaged: ${report.problems.join(' ')}`, `Run \`npm run models -- remove ${arg}\`, then pull it again.`);
        if (!values.json) stderr.write(`${arg}: ${formatBytes(report.checkedBytes)} checked, ${STATUS_WORDS[report.status]}.\n`);
        return EXIT.OK;
      }
      case 'remove': {
        const freed = await manager.remove(arg, { keepDownloads: values['keep-downloads'] });
        if (values.json) out({ ok: true, id: arg, freedBytes: freed });
        else stderr.write(`${arg}: removed (${formatBytes(freed)} freed).\n`);
        return EXIT.OK;
      }
      default: {
        const folder = await manager.setModelsFolder(arg);
        if (values.json) out({ ok: true, modelsDir: folder });
        else stderr.write(`Models are now in ${folder}.\n`);
        return EXIT.OK;
      }
    }
  } finally {
    view.end();
  }
}

/** Runs `models <argv>`; every error becomes one `error CODE: message` line and its exit code. */
export async function runModels(argv: string[], io: ModelsIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    const payload = error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')
      ? { code: 'INVALID_OPTION' as const, message: error.message }
      : toErrorPayload(error);
    if (argv.includes('--json')) io.stdout.write(`${JSON.stringify({ ok: false, error: payload })}\n`);
    printError(payload, io.stderr);
    if (payload.code === 'CANCELLED') io.stderr.write('Paused: run the same command again to resume.\n');
    return exitCodeFor(payload.code);
  }
}
