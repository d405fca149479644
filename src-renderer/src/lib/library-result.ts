// A library photo's stored result, as the viewer and the result panel read results. The library
// keeps a trimmed result (what survives a reload); the fields it does not keep read as unknown
// (zero timings, no tiles), and the panels show only what is there.
import type { LibraryPhoto, PhotoItem } from '../../../src-main/protocol/api';
import type { RestoreResult } from '../../../src-main/protocol/restore';

export function resultOf(photo: LibraryPhoto): RestoreResult | undefined {
  const kept = photo.result;
  if (photo.state !== 'done' || !photo.output || !kept) return undefined;
  const inputSize = kept.inputSize ?? { width: photo.width ?? 0, height: photo.height ?? 0 };
  const totalMs = (kept.seconds ?? 0) * 1000;
  const result: RestoreResult = {
    input: photo.path,
    output: photo.output,
    engine: kept.engine,
    provider: kept.provider ?? 'cpu',
    inputSize,
    outputSize: kept.outputSize,
    tiles: 0,
    timings: { decodeMs: 0, loadModelMs: 0, inferenceMs: totalMs, encodeMs: 0, totalMs },
    workerPeakRssBytes: 0,
  };
  if (kept.perception) result.perception = kept.perception;
  if (kept.pure) {
    result.pure = {
      model: kept.pure.model ?? 'PURE',
      testModel: kept.pure.testModel ?? false,
      text: kept.pure.text ?? kept.pure.caption,
      caption: kept.pure.caption,
      parsed: true,
      entropyMap: kept.pure.entropyMap ?? '',
      imageComplete: true,
      tokensPerSecond: 0,
      kvCache: 'device',
      estimate: { tiles: 0, columns: 0, rows: 0, tileSize: 0, factor: 0, tokensPerTile: 0, tokensPerSecond: 0, overheadSecondsPerTile: 0, seconds: 0, source: 'measured' },
    };
  }
  return result;
}

/** The photo as the viewer knows photos (opened files carry the same fields). */
export function itemOf(photo: LibraryPhoto): PhotoItem {
  const item: PhotoItem = { path: photo.path, id: photo.id, name: photo.name, bytes: photo.bytes ?? 0 };
  if (photo.folder) item.folder = photo.folder;
  if (photo.width) item.width = photo.width;
  if (photo.height) item.height = photo.height;
  if (photo.state === 'skipped' && photo.error) item.problem = photo.error;
  return item;
}
