// The person's settings in one JSON file (the desktop app's user-data folder, or the bridge's
// state folder). Read leniently: a missing, damaged or outdated file gives the defaults for what
// it lacks, never a crash. Written atomically, so a crash mid-write keeps the previous file.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as v from 'valibot';
import { EngineError } from '../../engine/common/errors';
import { writeFileAtomic } from '../../engine/image/output-file';
import { SettingsPatchSchema, SettingsSchema } from '../../protocol/api';
import type { Settings } from '../../protocol/api';

const MAX_RECENT = 10;

export class SettingsStore {
  private current: Settings = v.parse(SettingsSchema, {});
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async load(): Promise<Settings> {
    const text = await readFile(this.file, 'utf8').catch(() => undefined);
    let raw: unknown = {};
    try {
      raw = text === undefined ? {} : (JSON.parse(text) as unknown);
    } catch {
      raw = {};
    }
    // Field by field, so one bad value (an engine that no longer exists) loses only itself.
    const fields: Record<string, unknown> = {};
    if (typeof raw === 'object' && raw !== null) {
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        if (v.safeParse(SettingsSchema, { [key]: value }).success) fields[key] = value;
      }
    }
    this.current = v.parse(SettingsSchema, fields);
    return this.get();
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  /** Applies a patch from the page; throws INVALID_OPTION for values that are not allowed. */
  async update(patch: unknown): Promise<Settings> {
    const parsed = v.safeParse(SettingsPatchSchema, patch);
    if (!parsed.success) {
      throw new EngineError('INVALID_OPTION', `Invalid setting ${v.getDotPath(parsed.issues[0]) ?? ''}: ${parsed.issues[0].message}.`);
    }
    const changes = Object.fromEntries(Object.entries(parsed.output).filter(([, value]) => value !== undefined));
    this.current = { ...this.current, ...changes };
    await this.persist();
    return this.get();
  }

  /** Puts `paths` at the top of the recent list. */
  async addRecent(paths: readonly string[]): Promise<void> {
    const recent = [...paths, ...this.current.recent.filter((p) => !paths.includes(p))].slice(0, MAX_RECENT);
    this.current = { ...this.current, recent };
    await this.persist();
  }

  private persist(): Promise<void> {
    // One write at a time, in order: the last update always wins on disk.
    const snapshot = JSON.stringify(this.current, null, 2);
    const write = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, new TextEncoder().encode(snapshot), { overwrite: true });
    });
    this.writing = write.catch(() => undefined); // a failed write must not block the next one
    return write;
  }
}
