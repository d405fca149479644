// The page's view of the models: the host's list, kept current by model events, and the actions
// of the Models page and the model-missing prompt. Like Studio, no method throws: failures
// become state that the row (or the prompt) shows.
import { getContext, setContext } from 'svelte';
import type { EngineId } from '../../../src-main/protocol/restore';
import type { HostInfo, ModelItem, ModelsOverview, ModelStatusId, PureStudioApi } from '../../../src-main/protocol/api';
import type { ErrorPayload, ModelEvent } from '../../../src-main/protocol/messages';
import { toPayload } from './errors';

/** Installed and usable (unverified ones too: their files were hashed when they arrived). */
const USABLE: readonly ModelStatusId[] = ['ready', 'unverified'];

export function isUsable(model: ModelItem): boolean {
  return USABLE.includes(model.status);
}

const CONTEXT = Symbol('models');

export class ModelsState {
  readonly api: PureStudioApi;
  /** How to import: with the system dialog (desktop) or the page's picker (bridge). */
  info = $state<HostInfo | undefined>();
  overview = $state<ModelsOverview | undefined>();
  /** The list could not be loaded (a bad catalog, the host gone). */
  loadError = $state<ErrorPayload | undefined>();
  /** The last failure of each model's task, shown with it until the next attempt. */
  errors = $state<Record<string, ErrorPayload>>({});
  /** An import in progress (its model is unknown until the files are recognised). */
  importing = $state(false);
  importError = $state<ErrorPayload | undefined>();
  /** What happened last, for the page's status line (removed, imported, moved). */
  message = $state<string | undefined>();
  /** When a Verify last found a model's files sound (cleared when another task starts). */
  verifiedAt = $state<Record<string, Date>>({});

  readonly models = $derived(this.overview?.models ?? []);

  #refreshing: Promise<void> | undefined;
  #again = false;

  constructor(api: PureStudioApi) {
    this.api = api;
  }

  /** Makes this the models of every component below the caller (App). */
  provide(): this {
    setContext(CONTEXT, this);
    return this;
  }

  static current(): ModelsState | undefined {
    return getContext<ModelsState | undefined>(CONTEXT);
  }

  /** Follows model events and loads the list; returns the cleanup. */
  connect(): () => void {
    const off = this.api.onModelEvent((event) => this.#received(event));
    this.api.info().then(
      (info) => (this.info = info),
      () => undefined, // Studio shows a host that does not answer
    );
    void this.refresh();
    return off;
  }

  /** Reloads the list; calls while one is loading coalesce into one more load. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        try {
          this.overview = await this.api.listModels();
          this.loadError = undefined;
        } catch (error) {
          this.loadError = toPayload(error);
        }
      } while (this.#again);
      this.#refreshing = undefined;
    })();
    return this.#refreshing;
  }

  byId(id: string): ModelItem | undefined {
    return this.models.find((model) => model.id === id);
  }

  /** The catalog model an engine runs, when the catalog has one. */
  forEngine(engine: EngineId): ModelItem | undefined {
    return this.models.find((model) => model.engines.includes(engine));
  }

  /** The engine's model when it is not installed (or not usable): what the prompt offers. */
  missingFor(engine: EngineId | undefined): ModelItem | undefined {
    const model = engine ? this.forEngine(engine) : undefined;
    return model && !isUsable(model) ? model : undefined;
  }

  pull(id: string): Promise<void> {
    return this.#act(id, () => this.api.pullModel(id), { task: 'pull' });
  }

  pause(id: string): Promise<void> {
    return this.#act(id, () => this.api.pauseModel(id));
  }

  cancel(id: string): Promise<void> {
    return this.#act(id, () => this.api.cancelModel(id));
  }

  verify(id: string): Promise<void> {
    return this.#act(id, () => this.api.verifyModel(id), { task: 'verify' });
  }

  async remove(id: string): Promise<void> {
    const name = this.byId(id)?.name ?? id;
    await this.#act(id, async () => {
      const freed = await this.api.removeModel(id);
      this.message = `Removed ${name}${freed > 0 ? '' : ' (nothing was on disk)'}.`;
    });
  }

  /** Imports a folder (the bridge's picker names it; the desktop app asks with its own dialog). */
  async importFolder(folder?: string): Promise<void> {
    this.importing = true;
    this.importError = undefined;
    try {
      const id = await this.api.importModel(folder);
      if (id) this.message = `Imported ${this.byId(id)?.name ?? id}.`;
    } catch (error) {
      const payload = toPayload(error);
      if (payload.code !== 'CANCELLED') this.importError = payload;
    } finally {
      this.importing = false;
      await this.refresh();
    }
  }

  async moveFolder(): Promise<void> {
    try {
      const folder = await this.api.moveModelsFolder();
      if (folder) this.message = `The models folder is now ${folder}.`;
    } catch (error) {
      this.loadError = toPayload(error);
    }
    await this.refresh();
  }

  /** Runs an action for one model; `task` marks the row busy at once, before the first event. */
  async #act(id: string, action: () => Promise<void>, start?: { task: 'pull' | 'verify' }): Promise<void> {
    delete this.errors[id];
    delete this.verifiedAt[id];
    this.message = undefined;
    const model = this.byId(id);
    if (model && start) model.task = start.task;
    try {
      await action();
    } catch (error) {
      this.errors[id] = toPayload(error);
      if (model && start) model.task = undefined;
    }
    if (!start) await this.refresh();
  }

  #received(event: ModelEvent): void {
    if (event.type !== 'progress') {
      if (event.type === 'ended' && event.task === 'verify' && event.outcome === 'done') this.verifiedAt[event.id] = new Date();
      if (event.type === 'failed' && event.error.code !== 'CANCELLED') this.errors[event.id] = event.error;
      void this.refresh();
      return;
    }
    const model = this.byId(event.id);
    if (!model) {
      void this.refresh(); // an import of a model the list has not caught up with
      return;
    }
    model.task = event.task;
    model.progress = event.progress;
    if (event.task === 'pull') {
      model.status = ['converting', 'validating', 'installing', 'done'].includes(event.progress.phase) ? 'converting' : 'downloading';
    }
  }
}
