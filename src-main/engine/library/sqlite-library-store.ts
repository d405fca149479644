// LibraryStore over one SQLite file (library-db.ts). Every state change is its own transaction,
// committed with synchronous=FULL before the call returns: a kill loses at most the photo that
// was running, which comes back as pending (recoverInterrupted).
import type { BindValues, NormalQueryResult as Row } from 'node-sqlite3-wasm';
import type { ErrorCode, ErrorPayload, GuiWording } from '../common/errors';
import { LibraryDb, type DbOptions } from './library-db';
import type { FoundInput, ListQuery, LibraryStore, PhotoRecord, PhotoState, StateCounts } from './library-types';

const STATES: readonly PhotoState[] = ['pending', 'running', 'done', 'failed', 'skipped'];

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function parsed(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : undefined;
}

/** Only the wording's two strings: a stored row is read back, never trusted as more. */
function guiWording(value: unknown): GuiWording | undefined {
  const raw = typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : undefined;
  if (!raw || typeof raw !== 'object') return undefined;
  const gui: GuiWording = {};
  if (typeof raw.message === 'string') gui.message = raw.message;
  if (typeof raw.hint === 'string') gui.hint = raw.hint;
  return gui.message !== undefined || gui.hint !== undefined ? gui : undefined;
}

function storedError(row: Row): ErrorPayload {
  const error: ErrorPayload = { code: row.error_code as ErrorCode, message: String(row.error_message ?? '') };
  if (typeof row.error_hint === 'string') error.hint = row.error_hint;
  const gui = guiWording(row.error_gui);
  if (gui) error.gui = gui;
  return error;
}

/** An error as stored: a payload's fields (the code as given). */
type StoredError = { code: string; message: string } & Pick<ErrorPayload, 'hint' | 'gui'>;

/** The error's columns, in the order of ERROR_COLUMNS. */
function errorValues(error: StoredError): (string | null)[] {
  return [error.code, error.message, error.hint ?? null, json(error.gui)];
}

const ERROR_COLUMNS = 'error_code = ?, error_message = ?, error_hint = ?, error_gui = ?';
const NO_ERROR = 'error_code = NULL, error_message = NULL, error_hint = NULL, error_gui = NULL';

function toRecord(row: Row): PhotoRecord {
  const record: PhotoRecord = {
    id: Number(row.id),
    scope: String(row.scope),
    input: String(row.input),
    sourceRoot: String(row.source_root),
    rel: String(row.rel),
    state: row.state as PhotoState,
    attempts: Number(row.attempts),
    addedAt: Number(row.added_at),
    updatedAt: Number(row.updated_at),
  };
  if (row.output !== null) record.output = String(row.output);
  if (row.settings_hash !== null) record.settingsHash = String(row.settings_hash);
  if (row.in_sha256 !== null) record.fingerprint = { size: Number(row.in_size), mtimeMs: Number(row.in_mtime_ms), sha256: String(row.in_sha256) };
  if (row.error_code !== null) record.error = storedError(row);
  const overrides = parsed(row.overrides);
  if (overrides) record.overrides = overrides;
  const result = parsed(row.result);
  if (result) record.result = result;
  const triage = parsed(row.triage);
  if (triage) record.triage = triage;
  if (row.queue_pos !== null) record.queuePos = Number(row.queue_pos);
  if (row.saved_at !== null) record.savedAt = Number(row.saved_at);
  return record;
}

export class SqliteLibraryStore implements LibraryStore {
  private constructor(private readonly db: LibraryDb) {}

  static open(file: string, options?: DbOptions): SqliteLibraryStore {
    return new SqliteLibraryStore(LibraryDb.open(file, options));
  }

  get file(): string {
    return this.db.file;
  }

  add(scope: string, found: readonly FoundInput[]): PhotoRecord[] {
    const now = Date.now();
    return this.db.transaction(() => {
      this.db.insertMany(
        'INSERT INTO photos (scope, input, source_root, rel, added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, input) DO NOTHING',
        found.map((f): BindValues => [scope, f.input, f.sourceRoot, f.rel, now, now]),
      );
      // Looked up in chunks: SQLite caps the number of bound values per statement.
      const out: PhotoRecord[] = [];
      for (let at = 0; at < found.length; at += 500) {
        const chunk = found.slice(at, at + 500);
        const rows = this.db.all(`SELECT * FROM photos WHERE scope = ? AND input IN (${chunk.map(() => '?').join(',')})`, [scope, ...chunk.map((f) => f.input)]);
        const byInput = new Map(rows.map((r) => [String(r.input), toRecord(r)]));
        for (const f of chunk) out.push(byInput.get(f.input)!);
      }
      return out;
    });
  }

  get(id: number): PhotoRecord | undefined {
    const row = this.db.get('SELECT * FROM photos WHERE id = ?', [id]);
    return row ? toRecord(row) : undefined;
  }

  byInput(scope: string, input: string): PhotoRecord | undefined {
    const row = this.db.get('SELECT * FROM photos WHERE scope = ? AND input = ?', [scope, input]);
    return row ? toRecord(row) : undefined;
  }

  list(scope: string, query: ListQuery = {}): PhotoRecord[] {
    const where = ['scope = ?'];
    const values: (string | number)[] = [scope];
    if (query.states?.length) {
      where.push(`state IN (${query.states.map(() => '?').join(',')})`);
      values.push(...query.states);
    }
    const order = query.order === 'queue' ? 'queue_pos IS NULL, queue_pos, source_root, rel' : 'source_root, rel';
    const page = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))} OFFSET ${Math.max(0, Math.floor(query.offset ?? 0))}` : '';
    return this.db.all(`SELECT * FROM photos WHERE ${where.join(' AND ')} ORDER BY ${order}${page}`, values).map(toRecord);
  }

  counts(scope: string): StateCounts {
    const counts: StateCounts = { pending: 0, running: 0, done: 0, failed: 0, skipped: 0, total: 0 };
    for (const row of this.db.all('SELECT state, count(*) AS n FROM photos WHERE scope = ? GROUP BY state', [scope])) {
      const state = row.state as PhotoState;
      if (STATES.includes(state)) counts[state] = Number(row.n);
      counts.total += Number(row.n);
    }
    return counts;
  }

  isOutput(path: string): boolean {
    return this.db.get('SELECT 1 AS hit FROM photos WHERE output = ? LIMIT 1', [path]) !== undefined;
  }

  outputsIn(folder: string): Set<string> {
    const prefix = folder.endsWith('/') ? folder : `${folder}/`;
    // Range scan on the index instead of LIKE (paths may hold % and _).
    const rows = this.db.all('SELECT output FROM photos WHERE output >= ? AND output < ?', [prefix, `${prefix}\uffff`]);
    return new Set(rows.map((r) => String(r.output)));
  }

  planOutput(id: number, output: string): void {
    this.update(id, 'output = ?', [output]);
  }

  markRunning(id: number, settingsHash: string): void {
    this.update(id, `state = 'running', attempts = attempts + 1, settings_hash = ?, ${NO_ERROR}`, [settingsHash]);
  }

  markDone(id: number, done: { output: string; settingsHash: string; fingerprint: { size: number; mtimeMs: number; sha256: string }; result?: Record<string, unknown> }): void {
    const f = done.fingerprint;
    this.update(
      id,
      `state = 'done', output = ?, settings_hash = ?, in_size = ?, in_mtime_ms = ?, in_sha256 = ?, result = ?, ${NO_ERROR}, queue_pos = NULL, saved_at = NULL`,
      [done.output, done.settingsHash, f.size, f.mtimeMs, f.sha256, json(done.result)],
    );
  }

  markFailed(id: number, error: StoredError): void {
    this.update(id, `state = 'failed', ${ERROR_COLUMNS}`, errorValues(error));
  }

  markSkipped(id: number, reason: StoredError): void {
    this.update(id, `state = 'skipped', ${ERROR_COLUMNS}, queue_pos = NULL`, errorValues(reason));
  }

  markPending(ids: readonly number[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.update(id, `state = 'pending', ${NO_ERROR}`, []);
    });
  }

  recoverInterrupted(scope: string): number {
    return this.db.run("UPDATE photos SET state = 'pending', updated_at = ? WHERE scope = ? AND state = 'running'", [Date.now(), scope]);
  }

  setOverrides(id: number, overrides: Record<string, unknown> | undefined): void {
    this.update(id, 'overrides = ?', [json(overrides)]);
  }

  setTriage(id: number, triage: Record<string, unknown>): void {
    this.update(id, 'triage = ?', [json(triage)]);
  }

  setQueuePos(id: number, pos: number | undefined): void {
    this.update(id, 'queue_pos = ?', [pos ?? null]);
  }

  markSaved(id: number, at: number | undefined): void {
    this.update(id, 'saved_at = ?', [at ?? null]);
  }

  remove(ids: readonly number[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.db.run('DELETE FROM photos WHERE id = ?', [id]);
    });
  }

  addSource(scope: string, path: string, recursive: boolean): void {
    this.db.run('INSERT INTO sources (scope, path, recursive, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, path) DO UPDATE SET recursive = excluded.recursive', [scope, path, recursive ? 1 : 0, Date.now()]);
  }

  sources(scope: string): { path: string; recursive: boolean }[] {
    return this.db.all('SELECT path, recursive FROM sources WHERE scope = ? ORDER BY added_at, path', [scope]).map((r) => ({ path: String(r.path), recursive: Number(r.recursive) === 1 }));
  }

  removeSource(scope: string, path: string): void {
    this.db.run('DELETE FROM sources WHERE scope = ? AND path = ?', [scope, path]);
  }

  getMeta(scope: string, key: string): string | undefined {
    const row = this.db.get('SELECT value FROM meta WHERE scope = ? AND key = ?', [scope, key]);
    return row ? String(row.value) : undefined;
  }

  setMeta(scope: string, key: string, value: string | undefined): void {
    if (value === undefined) this.db.run('DELETE FROM meta WHERE scope = ? AND key = ?', [scope, key]);
    else this.db.run('INSERT INTO meta (scope, key, value) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value', [scope, key, value]);
  }

  close(): void {
    this.db.close();
  }

  private update(id: number, set: string, values: (string | number | null)[]): void {
    this.db.run(`UPDATE photos SET ${set}, updated_at = ? WHERE id = ?`, [...values, Date.now(), id]);
  }
}
