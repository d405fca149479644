// Where the generated sequence stands (text, the two grid tokens after an image start, or inside an
// image), which decides how the next token is sampled (PURE-SPEC section 6):
//   text  -> greedy, no mask, no CFG;
//   grid  -> image-mode dynamic top-k, no mask, no CFG;
//   image -> CFG, and the mask: a row end when (tokens so far in the image + 1) % (width + 1) == 0,
//            the image end after the last row, image codes everywhere else.
// The reference derives this from counts of image start/end tokens in input_ids; here the state is
// updated token by token, which gives the same answer. Pure TypeScript: no Node built-ins.

export interface TrackerTokenIds {
  imageStart: number; // 8197
  imageEnd: number; // 8196
  gridBase: number; // 8804: a grid token is gridBase + n
}

export type ImageSlot = 'code' | 'rowEnd' | 'imageEnd';

export type StepKind =
  | { readonly mode: 'text' }
  | { readonly mode: 'grid'; readonly index: 0 | 1 } // 0 = height token, 1 = width token
  | {
      readonly mode: 'image';
      /** Tokens already generated in this image after its two grid tokens (codes and row ends). */
      readonly position: number;
      readonly slot: ImageSlot;
      readonly height: number; // latent rows
      readonly width: number; // latent columns
    };

const TEXT: StepKind = Object.freeze({ mode: 'text' });
const GRID0: StepKind = Object.freeze({ mode: 'grid', index: 0 });
const GRID1: StepKind = Object.freeze({ mode: 'grid', index: 1 });

/** Which token the image layout demands at `position` (tokens so far in the image, after h and w). */
export function imageSlotAt(position: number, width: number, height: number): ImageSlot {
  const next = position + 1;
  if (next % (width + 1) === 0) return 'rowEnd';
  if (next === (width + 1) * height + 1) return 'imageEnd';
  return 'code';
}

export class StepTracker {
  private state: 'text' | 'grid0' | 'grid1' | 'image' = 'text';
  private height = 0;
  private width = 0;
  private position = 0;

  /**
   * @param latentPerGrid latent tokens per grid unit: the grid token counts 32 px patches and the
   *   VQ has 8 px per latent, so 4 (the reference's `(id - 8804) * 4`).
   */
  constructor(
    private readonly ids: TrackerTokenIds,
    private readonly latentPerGrid = 4,
  ) {}

  /** How the next token is to be sampled. */
  next(): StepKind {
    switch (this.state) {
      case 'text':
        return TEXT;
      case 'grid0':
        return GRID0;
      case 'grid1':
        return GRID1;
      case 'image':
        return {
          mode: 'image',
          position: this.position,
          slot: imageSlotAt(this.position, this.width, this.height),
          height: this.height,
          width: this.width,
        };
    }
  }

  /** Records the token that was just chosen (sampled or forced). */
  push(token: number): void {
    switch (this.state) {
      case 'text':
        if (token === this.ids.imageStart) this.state = 'grid0';
        return;
      case 'grid0':
        this.height = this.latentFromGrid(token, 'height');
        this.state = 'grid1';
        return;
      case 'grid1':
        this.width = this.latentFromGrid(token, 'width');
        this.position = 0;
        this.state = 'image';
        return;
      case 'image':
        if (token === this.ids.imageEnd) {
          // CFG and the mask reset here: the next token is text again.
          this.state = 'text';
          this.height = this.width = this.position = 0;
        } else {
          this.position++;
        }
        return;
    }
  }

  /** Inside an image, after both grid tokens: the span where CFG applies. */
  get inImage(): boolean {
    return this.state === 'image';
  }

  private latentFromGrid(token: number, what: string): number {
    const n = token - this.ids.gridBase;
    if (!(n >= 1 && n <= 1024)) throw new RangeError(`Token ${token} is not a grid token for the image ${what}.`);
    return n * this.latentPerGrid;
  }
}
