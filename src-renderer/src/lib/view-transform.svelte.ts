// Zoom and pan, shared by every view of the photo: the before/after slider's two layers and the
// two panes of side-by-side all draw with this one transform, so they can never drift apart.
// Zoom is in result pixels per CSS pixel (1 = 100%: one output pixel per screen pixel); the
// offset is where the image's centre sits relative to the viewport's centre.

export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 16;
const STEP = 1.25;

export interface Size {
  width: number;
  height: number;
}

export class ViewTransform {
  zoom = $state(1);
  x = $state(0);
  y = $state(0);
  /** While true, size changes keep the image fitted. Any zoom or pan by hand ends it. */
  fitted = $state(true);
  viewport = $state<Size>({ width: 0, height: 0 });
  content = $state<Size>({ width: 0, height: 0 });

  /** The image's box in viewport coordinates, for positioning every layer alike. */
  readonly box = $derived.by(() => {
    const width = this.content.width * this.zoom;
    const height = this.content.height * this.zoom;
    return {
      left: this.viewport.width / 2 + this.x - width / 2,
      top: this.viewport.height / 2 + this.y - height / 2,
      width,
      height,
    };
  });

  get fitZoom(): number {
    const { width, height } = this.content;
    if (!width || !height || !this.viewport.width || !this.viewport.height) return 1;
    return Math.min(this.viewport.width / width, this.viewport.height / height);
  }

  setViewport(size: Size): void {
    if (size.width === this.viewport.width && size.height === this.viewport.height) return;
    this.viewport = size;
    if (this.fitted) this.fit();
    else this.clampPan();
  }

  setContent(size: Size): void {
    if (size.width === this.content.width && size.height === this.content.height) return;
    // Keep the same part of the photo on screen when a 4x result replaces its original.
    const ratio = this.content.width ? size.width / this.content.width : 1;
    this.content = size;
    if (this.fitted) this.fit();
    else this.zoom = clamp(this.zoom / ratio, MIN_ZOOM, MAX_ZOOM);
  }

  fit(): void {
    this.zoom = this.fitZoom;
    this.x = 0;
    this.y = 0;
    this.fitted = true;
  }

  /** 100%: one result pixel per CSS pixel, keeping the centre of the view where it was. */
  actual(): void {
    this.zoomTo(1, 0, 0);
  }

  zoomIn(): void {
    this.zoomTo(this.zoom * STEP, 0, 0);
  }

  zoomOut(): void {
    this.zoomTo(this.zoom / STEP, 0, 0);
  }

  /** Zooms keeping the point (px, py), relative to the viewport centre, fixed on screen. */
  zoomTo(zoom: number, px: number, py: number): void {
    const next = clamp(zoom, Math.min(MIN_ZOOM, this.fitZoom), MAX_ZOOM);
    const ratio = next / this.zoom;
    this.x = px - (px - this.x) * ratio;
    this.y = py - (py - this.y) * ratio;
    this.zoom = next;
    this.fitted = false;
    this.clampPan();
  }

  panBy(dx: number, dy: number): void {
    this.x += dx;
    this.y += dy;
    this.fitted = false;
    this.clampPan();
  }

  /** Keeps at least a quarter of the view covered by the photo: it can never be lost off-screen. */
  private clampPan(): void {
    const { width, height } = this.box;
    const limitX = Math.max(0, width / 2 + this.viewport.width / 4);
    const limitY = Math.max(0, height / 2 + this.viewport.height / 4);
    this.x = clamp(this.x, -limitX, limitX);
    this.y = clamp(this.y, -limitY, limitY);
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
