// Finished PURE tiles kept on disk while a photo is restored, so that a restoration interrupted by
// a kill, a crash or closing the app starts again at its first unfinished tile. A tile is hours of
// a CPU's work and seconds of disk: each is written atomically the moment it is done, and read back
// byte for byte, so a resumed photo with the same seed equals one never interrupted.
// One file per tile: a 4-byte length, a JSON header (the key, sizes, the tile's text and timings),
// then the tile's RGB8 pixels and its entropy grid as float32.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../image/output-file';
import type { PureTileText } from './pure-restore';

export interface SavedTile {
  /** (height, width, 3) RGB8 of the tile as blended into the output. */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** (side, side) per-token entropy in nats, as the model reported it. */
  entropy: Float32Array;
  text: PureTileText;
  /** What generating it measured: counted again so that the run's speed stays true. */
  stats: { imageTokens: number; imageSeconds: number; tileSeconds: number; tokens: number; ips: number };
}

interface Header {
  key: string;
  width: number;
  height: number;
  entropyLength: number;
  text: PureTileText;
  stats: SavedTile['stats'];
}

export class PureTileCheckpoint {
  /**
   * `key` names everything the tiles depend on (the input's bytes, the settings, the tile plan):
   * tiles saved under another key are never used.
   */
  constructor(
    readonly folder: string,
    private readonly key: string,
  ) {}

  private file(index: number): string {
    return join(this.folder, `tile-${index}.bin`);
  }

  async load(index: number): Promise<SavedTile | undefined> {
    const bytes = await readFile(this.file(index)).catch(() => undefined);
    if (!bytes || bytes.length < 4) return undefined;
    try {
      const headerLength = bytes.readUInt32LE(0);
      const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as Header;
      if (header.key !== this.key) return undefined;
      const start = 4 + headerLength;
      const rgbLength = header.width * header.height * 3;
      if (bytes.length !== start + rgbLength + header.entropyLength * 4) return undefined;
      const rgb = new Uint8Array(bytes.subarray(start, start + rgbLength));
      const entropyBytes = bytes.subarray(start + rgbLength);
      // Copied into its own buffer: Float32Array needs 4-byte alignment.
      const entropy = new Float32Array(new Uint8Array(entropyBytes).buffer);
      return { rgb, width: header.width, height: header.height, entropy, text: header.text, stats: header.stats };
    } catch {
      return undefined; // a damaged tile is generated again
    }
  }

  async save(index: number, tile: SavedTile): Promise<void> {
    const header: Header = { key: this.key, width: tile.width, height: tile.height, entropyLength: tile.entropy.length, text: tile.text, stats: tile.stats };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.length, 0);
    const entropy = Buffer.from(tile.entropy.buffer, tile.entropy.byteOffset, tile.entropy.byteLength);
    await mkdir(this.folder, { recursive: true });
    await writeFileAtomic(this.file(index), Buffer.concat([length, json, tile.rgb, entropy]), { overwrite: true });
  }

  /** The photo is written: its tiles are no longer needed. */
  async clear(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }
}
