// Deciding, photo by photo, what a batch run does: restore it, or recognise it as done before
// (its output is there, made with the same settings from the same bytes). Finished work is never
// done again; --redo does everything again, in place.
import { stat } from 'node:fs/promises';
import { isUnchanged } from './fingerprint';
import type { PhotoRecord } from './library-types';

export type PhotoDecision = { action: 'restore'; why: 'new' | 'redo' | 'retry' | 'interrupted' | 'changed' | 'settings' | 'output-missing' } | { action: 'done-before' };

export async function decide(record: PhotoRecord, settingsHash: string, redo: boolean): Promise<PhotoDecision> {
  if (redo) return { action: 'restore', why: 'redo' };
  if (record.state === 'failed' || record.state === 'skipped') return { action: 'restore', why: 'retry' };
  if (record.state !== 'done') return { action: 'restore', why: record.attempts > 0 ? 'interrupted' : 'new' };
  if (record.settingsHash !== settingsHash) return { action: 'restore', why: 'settings' };
  if (!record.output || !(await stat(record.output).then((s) => s.isFile(), () => false))) return { action: 'restore', why: 'output-missing' };
  if (!record.fingerprint || !(await isUnchanged(record.input, record.fingerprint))) return { action: 'restore', why: 'changed' };
  return { action: 'done-before' };
}
