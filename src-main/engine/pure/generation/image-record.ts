// What the loop keeps per generated image token: the VQ code, the entropy of its distribution and
// the top-k it was sampled with, each as a (side, side) map in row-major order. Starts from the LQ
// codes so that a preview taken mid-image shows the LQ image where nothing is generated yet.

export class ImageRecord {
  readonly codes: Int32Array; // (side * side,) LQ codes until overwritten
  readonly entropy: Float32Array; // (side * side,) nats; NaN where not generated
  readonly topK: Uint16Array; // (side * side,) 0 where not generated
  generatedCodes = 0;
  rowsDone = 0;

  constructor(
    readonly side: number,
    lqCodes: Int32Array,
  ) {
    if (lqCodes.length !== side * side) throw new RangeError(`Expected ${side * side} LQ codes, got ${lqCodes.length}.`);
    this.codes = lqCodes.slice();
    this.entropy = new Float32Array(side * side).fill(NaN);
    this.topK = new Uint16Array(side * side);
  }

  /** A code at `position` in the image (tokens after the grid tokens, row ends included). */
  code(position: number, code: number, entropy: number, k: number): void {
    const row = Math.floor(position / (this.side + 1));
    const col = position % (this.side + 1);
    if (col === this.side || row >= this.side) throw new RangeError(`Image position ${position} is not a code.`);
    const i = row * this.side + col;
    this.codes[i] = code;
    this.entropy[i] = entropy;
    this.topK[i] = Math.min(k, 65535);
    this.generatedCodes++;
  }

  rowEnd(): void {
    this.rowsDone++;
  }

  get complete(): boolean {
    return this.generatedCodes === this.side * this.side;
  }
}
