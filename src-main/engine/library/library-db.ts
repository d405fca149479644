// The library's SQLite file: opened through node-sqlite3-wasm (one WebAssembly build for Node and
// Electron, see docs/library.md), migrated to the current schema, and guarded against the two
// ways such a file goes wrong on a desktop:
// - A process killed inside a statement leaves the binding's lock (a `<file>.lock` folder) behind,
//   and every later open would see "database is locked" for ever. Our transactions last
//   milliseconds, so a lock that has stood for LOCK_STALE_MS belongs to a dead process and goes.
// - A damaged file is moved aside (`library.db.damaged-<time>`) and reported, never silently lost.
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import type { BindValues, Database, NormalQueryResult as Row } from 'node-sqlite3-wasm';
import { EngineError } from '../common/errors';
import { MIGRATIONS } from './library-schema';

/** Longer than any transaction of ours (milliseconds), short enough that a rerun just waits. */
export const LOCK_STALE_MS = 5_000;
const BUSY_WAIT_MS = 15_000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** The binding is synchronous, so waiting for a lock is too (a few ms at a time). */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function isBusy(error: unknown): boolean {
  return error instanceof Error && /database is locked|SQLITE_BUSY/i.test(error.message);
}

function lockAgeMs(file: string): number | undefined {
  try {
    return Date.now() - statSync(`${file}.lock`).mtimeMs;
  } catch {
    return undefined;
  }
}

export interface DbOptions {
  /** Called with a line to log (stale lock removed, damaged file moved aside). */
  log?: (line: string) => void;
}

/** One open library file. All calls are synchronous and short; writes go through `transaction`. */
export class LibraryDb {
  private constructor(
    readonly file: string,
    private readonly db: Database,
    private readonly log: (line: string) => void,
  ) {}

  static open(file: string, options: DbOptions = {}): LibraryDb {
    const log = options.log ?? (() => {});
    mkdirSync(dirname(file), { recursive: true });
    const attempt = (): LibraryDb => {
      const db = new sqlite.Database(file);
      const library = new LibraryDb(file, db, log);
      try {
        library.migrate();
        return library;
      } catch (error) {
        db.close();
        throw error;
      }
    };
    try {
      return attempt();
    } catch (error) {
      if (isBusy(error)) throw lockedError(file);
      if (!isDamaged(error)) throw error;
      const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, aside);
      rmSync(`${file}-journal`, { force: true });
      log(`library database ${file} was damaged (${(error as Error).message}); moved aside to ${aside}, starting a new one`);
      return attempt();
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  all(sql: string, values?: BindValues): Row[] {
    return this.retry(() => this.db.all(sql, values) as Row[]);
  }

  get(sql: string, values?: BindValues): Row | undefined {
    return (this.retry(() => this.db.get(sql, values)) as Row | null) ?? undefined;
  }

  run(sql: string, values?: BindValues): number {
    return this.retry(() => this.db.run(sql, values).changes);
  }

  /** Runs `fn` in one IMMEDIATE transaction: all of it reaches the disk, or none of it. */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.retry(() => this.db.exec('BEGIN IMMEDIATE'));
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Inserts many rows with one prepared statement (inside the caller's transaction). */
  insertMany(sql: string, rows: readonly BindValues[]): void {
    const statement = this.db.prepare(sql);
    try {
      for (const row of rows) statement.run(row);
    } finally {
      statement.finalize();
    }
  }

  private retry<T>(fn: () => T): T {
    const started = Date.now();
    for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
      try {
        return fn();
      } catch (error) {
        if (!isBusy(error) || this.db.inTransaction) throw error;
        const age = lockAgeMs(this.file);
        if (age !== undefined && age > LOCK_STALE_MS) {
          // No transaction of ours lasts this long: its owner was killed inside one.
          rmSync(`${this.file}.lock`, { recursive: true, force: true });
          this.log(`removed a stale lock on ${this.file} (left ${Math.round(age / 1000)} s ago by a process that ended inside a write)`);
          continue;
        }
        if (Date.now() - started > BUSY_WAIT_MS) throw lockedError(this.file);
        sleepSync(wait);
      }
    }
  }

  private migrate(): void {
    const version = Number(this.retry(() => this.db.get('PRAGMA user_version'))?.user_version ?? 0);
    if (version > MIGRATIONS.length) {
      throw new EngineError('INTERNAL', `The library ${this.file} was written by a newer PURE Studio (schema ${version}, this one knows ${MIGRATIONS.length}).`, 'Update PURE Studio, or use another library.');
    }
    // synchronous=FULL: a commit is on disk before it returns, so a finished photo stays finished.
    this.retry(() => this.db.exec('PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON'));
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.exec(`PRAGMA user_version=${v + 1}`);
      });
    }
  }
}

function isDamaged(error: unknown): boolean {
  return error instanceof Error && /malformed|not a database|file is encrypted|disk image/i.test(error.message);
}

function lockedError(file: string): EngineError {
  return new EngineError('LIBRARY_BUSY', `The photo library ${file} is busy: another PURE Studio is writing it.`, 'Wait for the other run to finish, then try again.');
}
