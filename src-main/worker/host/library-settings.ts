// The library's own settings, kept in the library database beside the photos (meta of scope
// 'app') rather than in settings.json: the output folder belongs to the library it mirrors, and
// a queue that survives a restart needs the options it was started with.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import type { LibraryStore } from '../../engine/library/library-types';
import { OUTPUT_FORMAT_IDS } from '../../protocol/api';
import type { OutputFormatId } from '../../protocol/api';
import { RestoreOptionsSchema } from '../../protocol/restore';
import type { RestoreOptionsInput } from '../../protocol/restore';

export const LIBRARY_SCOPE = 'app';

/** What the queue runs photos with (the last queue call's), before each photo's own overrides. */
export interface JobSettings {
  options: RestoreOptionsInput;
  /** Absent: each photo keeps its own format where it can be written. */
  format?: OutputFormatId;
}

const JobSettingsSchema = v.object({ options: RestoreOptionsSchema, format: v.optional(v.picklist(OUTPUT_FORMAT_IDS)) });

/**
 * Where restored photos go when the person has not chosen: the bridge keeps everything inside
 * the folder it serves; the desktop app uses the Pictures folder when there is one.
 */
export function defaultOutputFolder(browseRoot: string | undefined, home = homedir()): string {
  if (browseRoot) return join(browseRoot, 'restored');
  const pictures = join(home, 'Pictures');
  return join(existsSync(pictures) ? pictures : home, 'PURE Studio restored');
}

export class LibrarySettings {
  constructor(
    private readonly store: LibraryStore,
    readonly defaultOutputFolder: string,
    /** Whether a stored output folder may be used by this run (the bridge: inside its root); else the default is. */
    private readonly usable: (folder: string) => boolean = () => true,
  ) {}

  get outputFolder(): string {
    const stored = this.store.getMeta(LIBRARY_SCOPE, 'outputFolder');
    return stored !== undefined && this.usable(stored) ? stored : this.defaultOutputFolder;
  }

  set outputFolder(folder: string) {
    this.store.setMeta(LIBRARY_SCOPE, 'outputFolder', folder === this.defaultOutputFolder ? undefined : folder);
  }

  /** On unless turned off. */
  get autoSave(): boolean {
    return this.store.getMeta(LIBRARY_SCOPE, 'autoSave') !== 'false';
  }

  set autoSave(on: boolean) {
    this.store.setMeta(LIBRARY_SCOPE, 'autoSave', on ? undefined : 'false');
  }

  /** Kept across restarts: a queue paused before closing stays paused. */
  get paused(): boolean {
    return this.store.getMeta(LIBRARY_SCOPE, 'paused') === 'true';
  }

  set paused(paused: boolean) {
    this.store.setMeta(LIBRARY_SCOPE, 'paused', paused ? 'true' : undefined);
  }

  /** Set when an open found more photos than the library holds. */
  get truncated(): boolean {
    return this.store.getMeta(LIBRARY_SCOPE, 'truncated') === 'true';
  }

  set truncated(truncated: boolean) {
    this.store.setMeta(LIBRARY_SCOPE, 'truncated', truncated ? 'true' : undefined);
  }

  /** Read leniently: options of an older version that no longer parse give the defaults. */
  get job(): JobSettings {
    const text = this.store.getMeta(LIBRARY_SCOPE, 'job');
    if (text === undefined) return { options: {} };
    try {
      const raw = JSON.parse(text) as { options?: RestoreOptionsInput };
      // Kept as given (defaults not filled in), so that a later version's defaults apply.
      const parsed = v.safeParse(JobSettingsSchema, raw);
      if (parsed.success) return { options: raw.options ?? {}, ...(parsed.output.format && { format: parsed.output.format }) };
    } catch {
      // a damaged value: the defaults below
    }
    return { options: {} };
  }

  set job(job: JobSettings) {
    this.store.setMeta(LIBRARY_SCOPE, 'job', JSON.stringify(job));
  }
}
