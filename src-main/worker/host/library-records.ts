// The app library's records in memory, in step with the database: this host is the only writer
// of scope 'app', and every change goes through the store and then `refresh`, so reads (the
// page's snapshot, the next photo to run, the queue's length) never scan 10,000 rows in SQLite.
import type { FoundInput, LibraryStore, PhotoRecord } from '../../engine/library/library-types';
import { LIBRARY_SCOPE } from './library-settings';

export class LibraryRecords {
  private readonly byId = new Map<number, PhotoRecord>();
  /**
   * Which stored photos this run may know of (the bridge: those inside the folder it serves). The
   * others stay in the database, untouched, for a run that may see them, but this run neither
   * lists, serves nor restores them.
   */
  keep: (record: PhotoRecord) => boolean = () => true;

  constructor(private readonly store: LibraryStore) {}

  load(): void {
    this.byId.clear();
    for (const record of this.store.list(LIBRARY_SCOPE)) if (this.keep(record)) this.byId.set(record.id, record);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: number): PhotoRecord | undefined {
    return this.byId.get(id);
  }

  all(): PhotoRecord[] {
    return [...this.byId.values()];
  }

  /** Adds photos (those already in the library keep their record); returns every given photo's. */
  add(found: readonly FoundInput[]): PhotoRecord[] {
    const records = this.store.add(LIBRARY_SCOPE, found);
    for (const record of records) this.byId.set(record.id, record);
    return records;
  }

  /** Re-reads one record after a change; undefined when it left the library. */
  refresh(id: number): PhotoRecord | undefined {
    const record = this.store.get(id);
    if (record && !this.byId.has(id) && !this.keep(record)) return undefined;
    if (record) this.byId.set(id, record);
    else this.byId.delete(id);
    return record;
  }

  remove(ids: readonly number[]): void {
    this.store.remove(ids);
    for (const id of ids) this.byId.delete(id);
  }

  /** Photos waiting in the queue, next first. */
  waiting(): PhotoRecord[] {
    return this.all()
      .filter((r) => r.state === 'pending' && r.queuePos !== undefined)
      .sort((a, b) => a.queuePos! - b.queuePos! || a.id - b.id);
  }

  /** A queue position after every photo queued so far. */
  nextPos(): number {
    let last = 0;
    for (const record of this.byId.values()) if (record.queuePos !== undefined && record.queuePos > last) last = record.queuePos;
    return Math.floor(last) + 1;
  }
}
