// The page's API over the local HTTP bridge (src-main/bridge), for when it runs in a browser:
// the same PureStudioApi the desktop preload exposes, as JSON requests carrying the token in a
// header, plus one long-lived event stream. Images load by URL; the bridge's cookie covers them.
import type {
  AppCommand,
  DroppedFile,
  ExportCall,
  ExportOutcome,
  FolderListing,
  HostInfo,
  LibraryEvent,
  LibraryPhoto,
  LibrarySettingsPatch,
  LibrarySnapshot,
  ModelsOverview,
  PhotoOverrides,
  PhotoItem,
  PureStudioApi,
  QueueOutcome,
  Reply,
  RestoreAllCall,
  RestoreCall,
  RestorePhotosCall,
  SaveOutcome,
  Settings,
  SettingsPatch,
} from '../../../src-main/protocol/api';
import type { ErrorPayload, JobEvent, ModelEvent } from '../../../src-main/protocol/messages';
import type { RestoreEstimate } from '../../../src-main/protocol/restore';
import { followEventStream } from './event-stream';

const TOKEN_HEADER = 'x-pure-token';

/** Rejects as the page expects (see PureStudioApi): with an ErrorPayload, not an Error. */
function refuse(error: ErrorPayload): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw error;
}

const unreachable = (): ErrorPayload => ({
  code: 'WORKER_CRASHED',
  message: 'PURE Studio’s engine is not answering.',
  hint: 'Check that `npm run serve` is still running, then reload this page.',
  // In a browser the engine is the terminal's `npm run serve`: naming it is this page's advice.
  gui: { hint: 'Check that the PURE Studio server (npm run serve) is still running, then reload this page.' },
});

export class BridgeClient implements PureStudioApi {
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private stopStream: (() => void) | undefined;
  private readonly modelListeners = new Set<(event: ModelEvent) => void>();
  private stopModelStream: (() => void) | undefined;
  private readonly libraryListeners = new Set<(event: LibraryEvent) => void>();
  private stopLibraryStream: (() => void) | undefined;

  constructor(private readonly token: string) {}

  info(): Promise<HostInfo> {
    return this.call('GET', '/api/info');
  }

  loadSettings(): Promise<Settings> {
    return this.call('GET', '/api/settings');
  }

  saveSettings(patch: SettingsPatch): Promise<Settings> {
    return this.call('POST', '/api/settings', patch);
  }

  async openDialog(): Promise<PhotoItem[]> {
    // The browser cannot show the host's file dialogs; the page uses browse() instead.
    await Promise.resolve();
    return refuse({ code: 'INTERNAL', message: 'System dialogs are not available in the browser.' });
  }

  browse(folder?: string): Promise<FolderListing> {
    return this.call('POST', '/api/browse', { folder });
  }

  openPaths(paths: string[]): Promise<PhotoItem[]> {
    return this.call('POST', '/api/open', { paths });
  }

  async openDropped(files: DroppedFile[]): Promise<PhotoItem[]> {
    const opened: PhotoItem[] = [];
    for (const file of files) {
      // A dropped folder arrives as a File that cannot be read; the browser gives no way in.
      const body = await file.arrayBuffer().catch(() =>
        refuse({ code: 'INPUT_UNREADABLE', message: `“${file.name}” cannot be read here: folders cannot be dropped into the browser.`, hint: 'Use “Open folder…” instead.' }),
      );
      opened.push(...(await this.call<PhotoItem[]>('POST', `/api/upload?name=${encodeURIComponent(file.name)}`, body)));
    }
    return opened;
  }

  mediaUrl(path: string, kind: 'image' | 'thumb'): string {
    return `/media/${kind}?path=${encodeURIComponent(path)}`;
  }

  restore(call: RestoreCall): Promise<string> {
    return this.call('POST', '/api/restore', call);
  }

  estimate(call: RestoreCall): Promise<RestoreEstimate> {
    return this.call('POST', '/api/estimate', call);
  }

  async cancel(jobId: string): Promise<void> {
    await this.call('POST', '/api/cancel', { jobId });
  }

  onEvent(callback: (event: JobEvent) => void): () => void {
    this.listeners.add(callback);
    this.stopStream ??= followEventStream('/api/events', { [TOKEN_HEADER]: this.token }, (event) => {
      for (const listener of this.listeners) listener(event);
    });
    return () => {
      this.listeners.delete(callback);
      if (this.listeners.size === 0) {
        this.stopStream?.();
        this.stopStream = undefined;
      }
    };
  }

  exportResult(call: ExportCall): Promise<ExportOutcome | undefined> {
    return this.call('POST', '/api/export', call);
  }

  async reveal(): Promise<void> {
    await Promise.resolve();
    refuse({ code: 'INTERNAL', message: 'Revealing files is only available in the desktop app.' });
  }

  onCommand(_callback: (command: AppCommand) => void): () => void {
    return () => {}; // no menu in a browser: the page binds its shortcuts itself
  }

  onOpened(_callback: (items: PhotoItem[]) => void): () => void {
    return () => {}; // everything the browser opens goes through the page itself
  }

  listModels(): Promise<ModelsOverview> {
    return this.call('GET', '/api/models');
  }

  async pullModel(id: string): Promise<void> {
    await this.call('POST', '/api/models/pull', { id });
  }

  async pauseModel(id: string): Promise<void> {
    await this.call('POST', '/api/models/pause', { id });
  }

  async cancelModel(id: string): Promise<void> {
    await this.call('POST', '/api/models/cancel', { id });
  }

  async verifyModel(id: string): Promise<void> {
    await this.call('POST', '/api/models/verify', { id });
  }

  removeModel(id: string): Promise<number> {
    return this.call('POST', '/api/models/remove', { id });
  }

  importModel(folder?: string): Promise<string | undefined> {
    return this.call('POST', '/api/models/import', { folder });
  }

  async moveModelsFolder(): Promise<string | undefined> {
    await Promise.resolve();
    return refuse({
      code: 'INTERNAL',
      message: 'The models folder can be moved in the desktop app, or with `npm run models -- move <folder>`.',
      gui: { message: 'The models folder can be moved in the desktop app.' },
    });
  }

  onModelEvent(callback: (event: ModelEvent) => void): () => void {
    this.modelListeners.add(callback);
    this.stopModelStream ??= followEventStream<ModelEvent>('/api/model-events', { [TOKEN_HEADER]: this.token }, (event) => {
      for (const listener of this.modelListeners) listener(event);
    });
    return () => {
      this.modelListeners.delete(callback);
      if (this.modelListeners.size === 0) {
        this.stopModelStream?.();
        this.stopModelStream = undefined;
      }
    };
  }

  library(): Promise<LibrarySnapshot> {
    return this.call('GET', '/api/library');
  }

  restorePhotos(call: RestorePhotosCall): Promise<QueueOutcome> {
    return this.call('POST', '/api/library/restore', call);
  }

  restoreAll(call: RestoreAllCall): Promise<QueueOutcome> {
    return this.call('POST', '/api/library/restore-all', call);
  }

  async pauseQueue(paused: boolean): Promise<void> {
    await this.call('POST', '/api/library/pause', { paused });
  }

  retryFailed(): Promise<number> {
    return this.call('POST', '/api/library/retry-failed');
  }

  async cancelPhotos(ids: number[]): Promise<void> {
    await this.call('POST', '/api/library/cancel', { ids });
  }

  async movePhoto(id: number, toIndex: number): Promise<void> {
    await this.call('POST', '/api/library/move', { id, toIndex });
  }

  async removePhotos(ids: number[]): Promise<void> {
    await this.call('POST', '/api/library/remove', { ids });
  }

  setPhotoOverrides(id: number, overrides: PhotoOverrides): Promise<LibraryPhoto> {
    return this.call('POST', '/api/library/overrides', { id, overrides });
  }

  setLibrarySettings(patch: LibrarySettingsPatch): Promise<LibrarySnapshot> {
    return this.call('POST', '/api/library/settings', patch);
  }

  saveAllRestored(): Promise<SaveOutcome> {
    return this.call('POST', '/api/library/save-all');
  }

  onLibraryEvent(callback: (event: LibraryEvent) => void): () => void {
    this.libraryListeners.add(callback);
    this.stopLibraryStream ??= followEventStream<LibraryEvent>('/api/library-events', { [TOKEN_HEADER]: this.token }, (event) => {
      for (const listener of this.libraryListeners) listener(event);
    });
    return () => {
      this.libraryListeners.delete(callback);
      if (this.libraryListeners.size === 0) {
        this.stopLibraryStream?.();
        this.stopLibraryStream = undefined;
      }
    };
  }

  /** One request; resolves to the reply's value or rejects with its ErrorPayload. */
  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      const binary = body instanceof ArrayBuffer;
      response = await fetch(path, {
        method,
        headers: { [TOKEN_HEADER]: this.token, ...(body === undefined ? {} : { 'Content-Type': binary ? 'application/octet-stream' : 'application/json' }) },
        body: body === undefined ? undefined : binary ? body : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch {
      return refuse(unreachable());
    }
    let reply: Reply<T>;
    try {
      reply = (await response.json()) as Reply<T>;
    } catch {
      return refuse(unreachable());
    }
    if (!reply.ok) return refuse(reply.error);
    return reply.value;
  }
}
