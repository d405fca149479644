// The model manager as the app's page uses it (the Models page, the model-missing prompt): one
// service per host (the desktop app's main process, or the bridge) that checks every request
// from the page, runs at most one task per model, and reports each task as ModelEvents, the way
// restore jobs report JobEvents. Long tasks start and return at once; their end is an event.
// Pause is a cancel that keeps the partial files (the next pull resumes them by Range); cancel
// also deletes them. A pull that fails lists as `failed` with its error (pull.ts records it):
// the page offers Retry (a pull: it resumes what was kept) and Discard (a cancel).
import { hostname } from 'node:os';
import * as v from 'valibot';
import { EngineError, toErrorPayload } from '../common/errors';
import { ModelFolderSchema, ModelIdSchema } from '../../protocol/api';
import type { ModelItem, ModelsOverview, ModelTask, ModelTaskProgress } from '../../protocol/api';
import type { ModelEvent } from '../../protocol/messages';
import { ENGINE_IDS } from '../../protocol/restore';
import type { EngineId } from '../../protocol/restore';
import { DEFAULT_PURE_MODEL } from '../restore/pure-restore';
import { modelEntry } from './catalog';
import { discardDownloads } from './discard-downloads';
import { ModelManager } from './model-manager';
import type { ModelProgress } from './model-progress';
import type { ModelInfo } from './model-status';
import { defaultModelsDir } from './paths';

export interface ModelServiceOptions {
  /** Builds the manager on first use, so a bad PURE_STUDIO_CATALOG fails that call, not startup. */
  manager?: () => ModelManager;
  /** The host can ask for a new models folder (the desktop app's system dialog). */
  canMoveFolder?: boolean;
  log?: (line: string) => void;
}

interface RunningTask {
  task: ModelTask;
  controller: AbortController;
  /** Why the page stopped it: a pause keeps the downloaded bytes, a cancel deletes them. */
  stop?: 'pause' | 'cancel';
  progress?: ModelTaskProgress;
}

/** The catalog model an app engine runs: PURE's is the store's `pure-7b`, the others share their id. */
export function modelIdForEngine(engine: EngineId): string {
  return engine === 'pure' ? DEFAULT_PURE_MODEL : engine;
}

function parseWith(schema: typeof ModelIdSchema | typeof ModelFolderSchema, what: string, value: unknown): string {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new EngineError('INVALID_OPTION', `Invalid ${what}: ${result.issues[0].message}.`);
  return result.output;
}

const parseId = (value: unknown): string => parseWith(ModelIdSchema, 'model id', value);
const parseFolder = (value: unknown): string => parseWith(ModelFolderSchema, 'folder', value);

/** The engine's progress without its model id (the event carries it). */
function taskProgress(p: ModelProgress): ModelTaskProgress {
  const { id: _id, ...rest } = p;
  return rest;
}

export class ModelService {
  #manager: ModelManager | undefined;
  readonly #tasks = new Map<string, RunningTask>();
  readonly #listeners = new Set<(event: ModelEvent) => void>();
  /** Problems a verify found this session: a same-size, wrong-hash file lists as ready otherwise. */
  readonly #damaged = new Map<string, string>();
  readonly #log: (line: string) => void;

  constructor(private readonly options: ModelServiceOptions = {}) {
    this.#log = options.log ?? (() => {});
  }

  get manager(): ModelManager {
    this.#manager ??= this.options.manager?.() ?? new ModelManager();
    return this.#manager;
  }

  onEvent(listener: (event: ModelEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The task this service runs for a model right now, if any. */
  running(id: string): ModelTask | undefined {
    return this.#tasks.get(id)?.task;
  }

  async overview(): Promise<ModelsOverview> {
    const manager = this.manager;
    const models = (await manager.list()).map((info) => this.#item(info));
    const folder = manager.modelsDir;
    return { folder, defaultFolder: folder === defaultModelsDir(manager.home), canMoveFolder: this.options.canMoveFolder ?? false, models };
  }

  /** Starts (or resumes) installing a model; resolves when the task has ended, however it ended. */
  pull(id: unknown): Promise<void> {
    const model = this.#known(id);
    const running = this.#tasks.get(model);
    if (running?.task === 'pull') return Promise.resolve(); // already on its way: nothing new to start
    this.#refuseIfBusy(model);
    const knownDamaged = this.#damaged.delete(model);
    return this.#start(model, 'pull', async (ctx) => {
      // A damaged install is removed first (its downloads kept): a file changed in place keeps
      // its size, so the pull would otherwise find the model present and leave it as it is.
      if (knownDamaged || (await this.manager.info(model)).status === 'damaged') await this.manager.remove(model, { keepDownloads: true });
      return this.manager.pull(model, ctx);
    });
  }

  /** Stops a download and keeps its bytes. A model with no running pull is left as it is. */
  pause(id: unknown): void {
    const running = this.#tasks.get(parseId(id));
    if (running?.task !== 'pull') return;
    running.stop = 'pause';
    running.controller.abort();
  }

  /**
   * Stops the model's task. For a pull, and for a paused download with no task, the downloaded
   * files are deleted too; resolves once that is done.
   */
  async cancel(id: unknown): Promise<void> {
    const model = this.#known(id);
    const running = this.#tasks.get(model);
    if (running) {
      running.stop = 'cancel';
      running.controller.abort();
      return;
    }
    if (await discardDownloads(model, { home: this.manager.home })) this.#emit({ type: 'changed' });
  }

  verify(id: unknown): Promise<void> {
    const model = this.#known(id);
    this.#refuseIfBusy(model);
    return this.#start(model, 'verify', async (ctx) => {
      const report = await this.manager.verify(model, ctx);
      if (report.status === 'not-installed') throw new EngineError('MODEL_MISSING', `Model "${model}" is not installed.`, 'Download it first.');
      if (report.status === 'damaged') {
        const problem = report.problems.join(' ');
        this.#damaged.set(model, problem);
        throw new EngineError('DIGEST_MISMATCH', `Model "${model}" is damaged: ${problem}`, 'Repair installs it again.');
      }
      this.#damaged.delete(model);
    });
  }

  /** Deletes an installed model and its downloads; resolves to the bytes freed. */
  async remove(id: unknown): Promise<number> {
    const model = this.#known(id);
    this.#refuseIfBusy(model);
    const freed = await this.manager.remove(model);
    this.#damaged.delete(model);
    this.#emit({ type: 'changed' });
    return freed;
  }

  /**
   * Installs from a folder the transport has already vetted (a system dialog, or inside the
   * bridge's root). Which model it holds is known only once the files are recognised, so its
   * events start with the first progress; resolves to the model's id.
   */
  async import(folder: unknown): Promise<string> {
    const dir = parseFolder(folder);
    const controller = new AbortController();
    let id: string | undefined;
    let clash = false;
    const record: RunningTask = { task: 'import', controller };
    const onProgress = (p: ModelProgress): void => {
      if (!id) {
        id = p.id;
        if (this.#tasks.has(id)) {
          clash = true; // the model is busy with another task of this page
          controller.abort();
          return;
        }
        this.#tasks.set(id, record);
      }
      record.progress = taskProgress(p);
      this.#emit({ type: 'progress', id, task: 'import', progress: record.progress });
    };
    try {
      const result = await this.manager.import(dir, { signal: controller.signal, onProgress });
      id = result.id;
      this.#finish(id, record);
      this.#damaged.delete(id);
      this.#emit({ type: 'ended', id, task: 'import', outcome: 'done' });
      return id;
    } catch (error) {
      if (clash && id) this.#refuseIfBusy(id);
      if (id && this.#tasks.get(id) === record) {
        this.#finish(id, record);
        this.#emit(record.stop ? { type: 'ended', id, task: 'import', outcome: 'cancelled' } : { type: 'failed', id, task: 'import', error: toErrorPayload(error) });
      }
      throw error;
    }
  }

  /** Moves the models folder (everything in it); refused while this service runs any task. */
  async moveFolder(folder: unknown): Promise<string> {
    const target = parseFolder(folder);
    if (this.#tasks.size > 0) throw new EngineError('MODEL_LOCKED', 'A model is being installed or checked.', 'Wait for it to finish (or cancel it), then move the folder.');
    const moved = await this.manager.setModelsFolder(target);
    this.#emit({ type: 'changed' });
    return moved;
  }

  /** Stops every task, keeping downloaded bytes (the app is quitting: the next pull resumes). */
  stop(): void {
    for (const running of this.#tasks.values()) {
      running.stop ??= 'pause';
      running.controller.abort();
    }
  }

  #known(id: unknown): string {
    const model = parseId(id);
    modelEntry(model, this.manager.catalog); // an unknown id is INVALID_OPTION, with the known ones
    return model;
  }

  #refuseIfBusy(id: string): void {
    const running = this.#tasks.get(id);
    if (running) throw new EngineError('MODEL_LOCKED', `Model "${id}" is busy (${running.task}).`, 'Wait for it to finish, or cancel it.');
  }

  #start(id: string, task: ModelTask, work: (ctx: { signal: AbortSignal; onProgress: (p: ModelProgress) => void }) => Promise<unknown>): Promise<void> {
    const record: RunningTask = { task, controller: new AbortController() };
    this.#tasks.set(id, record);
    const onProgress = (p: ModelProgress): void => {
      record.progress = taskProgress(p);
      this.#emit({ type: 'progress', id, task, progress: record.progress });
    };
    return work({ signal: record.controller.signal, onProgress }).then(
      () => {
        this.#finish(id, record);
        this.#emit({ type: 'ended', id, task, outcome: 'done' });
      },
      async (error: unknown) => {
        const stopped = record.stop !== undefined && toErrorPayload(error).code === 'CANCELLED';
        if (stopped && record.stop === 'cancel' && task === 'pull') {
          await discardDownloads(id, { home: this.manager.home, wait: true }).catch((problem: unknown) => this.#log(`could not delete the downloads of ${id}: ${toErrorPayload(problem).message}`));
        }
        this.#finish(id, record);
        if (stopped) this.#emit({ type: 'ended', id, task, outcome: record.stop === 'pause' ? 'paused' : 'cancelled' });
        else {
          this.#log(`${task} ${id} failed: ${toErrorPayload(error).message}`);
          this.#emit({ type: 'failed', id, task, error: toErrorPayload(error) });
        }
      },
    );
  }

  #finish(id: string, record: RunningTask): void {
    if (this.#tasks.get(id) === record) this.#tasks.delete(id);
  }

  #emit(event: ModelEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #item(info: ModelInfo): ModelItem {
    const entry = modelEntry(info.id, this.manager.catalog);
    const running = this.#tasks.get(info.id);
    const { requirements } = info;
    const damaged = this.#damaged.get(info.id);
    // An installed package's own figures replace the catalog's (an imported TEST MODEL is a few MB).
    const memory = damaged ? undefined : info.package?.memory;
    const installedBytes = damaged ? undefined : info.package?.installedBytes;
    const item: ModelItem = {
      id: info.id,
      name: info.name,
      description: info.description,
      engines: ENGINE_IDS.filter((engine) => modelIdForEngine(engine) === info.id),
      status: damaged ? 'damaged' : info.status === 'not-installed' ? 'missing' : info.status,
      testModel: info.testModel,
      sizeOnDisk: info.sizeOnDisk,
      downloadedBytes: info.downloadedBytes,
      downloadBytes: requirements.downloadBytes,
      installedBytes: installedBytes ?? requirements.installedBytes,
      // At the peak of an install the download and the converted package are both on disk.
      diskNeededBytes: requirements.downloadBytes + requirements.installedBytes,
      ramBytes: memory?.ramBytes ?? requirements.ramBytes,
      requirementsFrom: memory ? 'package' : 'catalog',
      dir: info.dir,
      licence: info.licence,
      bundled: info.bundled,
    };
    if (memory) [item.vramBytes, item.dtype] = [memory.vramBytes, memory.dtype];
    else if (requirements.vramBytes !== undefined) item.vramBytes = requirements.vramBytes;
    if (item.status === 'damaged' && info.repair !== undefined) item.repair = info.repair;
    if (item.status === 'damaged' && info.importedFrom !== undefined) item.importedFrom = info.importedFrom;
    if (info.licenceNote) item.licenceNote = info.licenceNote;
    if (entry.homepage) item.homepage = entry.homepage;
    const problem = damaged ?? info.problem;
    if (problem) item.problem = problem;
    if (info.failure && item.status === 'failed') {
      const { stage, at, code, message, hint, gui } = info.failure;
      item.failure = { stage, at, error: { code, message, ...(hint === undefined ? {} : { hint }), ...(gui === undefined ? {} : { gui }) } };
    }
    if (info.busy && (info.busy.pid !== process.pid || info.busy.host !== hostname())) item.busyElsewhere = `another PURE Studio (process ${info.busy.pid}) is ${info.busy.activity} it`;
    if (running) {
      item.task = running.task;
      if (running.progress) item.progress = running.progress;
    }
    return item;
  }
}
