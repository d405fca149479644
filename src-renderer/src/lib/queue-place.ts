// Where a photo stands in the library's queue, counted from 1 as "3 of 40". The host's queue
// status counts this run's finished photos plus the running one (`position`) and the whole run
// (`total`); before its first status arrives (just after a reload), the photos on the page say it.
import type { QueueStatus } from '../../../src-main/protocol/api';

export interface QueuePlace {
  position: number;
  total: number;
}

/**
 * `waitIndex`: the photo's 0-based index among the waiting photos (undefined when it is not
 * waiting); `running`: it is the photo being restored; `waiting` / `runningCount`: how many
 * photos wait and run now.
 */
export function queuePlaceOf(
  photo: { waitIndex: number | undefined; running: boolean },
  queue: Pick<QueueStatus, 'position' | 'total'> | undefined,
  counts: { waiting: number; running: number },
): QueuePlace | undefined {
  if (photo.waitIndex === undefined && !photo.running) return undefined;
  const total = queue?.total ?? counts.waiting + counts.running;
  if (photo.running) return { position: queue?.position ?? 1, total };
  // The queue's position counts the finished photos and the running one: the waiting follow.
  const before = queue?.position ?? counts.running;
  return { position: before + (photo.waitIndex ?? 0) + 1, total };
}
