// The region tool's geometry: from where the pointer is on the stage to pixels of the photo and
// back. The viewer draws the photo in a box (the shared ViewTransform's, in stage coordinates),
// so one scale per axis maps between the two whatever the zoom, pan or fit. Regions are whole
// input pixels of the upright photo, the engine's `roi`.
import type { Region } from '../../../src-main/protocol/restore';

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

/** A rectangle on the stage, in CSS pixels from its top-left corner. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Smallest region side the tool gives: smaller ones are too little to judge a restoration by. */
export const MIN_REGION_SIDE = 16;

/** A point on the stage as a (fractional, unclamped) position in the photo's pixels. */
export function toImage(point: Point, box: Box, image: Size): Point {
  return {
    x: ((point.x - box.left) * image.width) / box.width,
    y: ((point.y - box.top) * image.height) / box.height,
  };
}

/** Where a region of the photo lies on the stage. */
export function toStage(region: Region, box: Box, image: Size): Box {
  const sx = box.width / image.width;
  const sy = box.height / image.height;
  return { left: box.left + region.x * sx, top: box.top + region.y * sy, width: region.width * sx, height: region.height * sy };
}

/**
 * The part of `rect` (stage coordinates) inside a view of `view` size whose corner is the stage's
 * origin, or undefined when none of it is. Drawn at its full size, a region zoomed past the view
 * has its outline off-screen on every side, and nothing shows where it is.
 */
export function clipToView(rect: Box, view: Size): Box | undefined {
  const left = Math.max(0, rect.left);
  const top = Math.max(0, rect.top);
  const right = Math.min(view.width, rect.left + rect.width);
  const bottom = Math.min(view.height, rect.top + rect.height);
  if (right <= left || bottom <= top) return undefined;
  return { left, top, width: right - left, height: bottom - top };
}

/** Where a region of the photo shows in the view: toStage, clipped to what is on screen. */
export function regionInView(region: Region, box: Box, image: Size, view: Size): Box | undefined {
  return clipToView(toStage(region, box, image), view);
}

/**
 * The region a drag from `from` to `to` (photo pixels) covers: whole pixels, inside the photo,
 * and at least `min` pixels a side (or the photo's side, if smaller). A short drag grows away
 * from where it started, in the direction it went, so the corner the person pressed stays put.
 */
export function regionFromDrag(from: Point, to: Point, image: Size, min = MIN_REGION_SIDE): Region {
  const [x, width] = span(from.x, to.x, image.width, min);
  const [y, height] = span(from.y, to.y, image.height, min);
  return { x, y, width, height };
}

/** One axis of regionFromDrag: [start, length]. */
function span(from: number, to: number, limit: number, min: number): [number, number] {
  const side = Math.min(min, limit);
  let low = Math.round(clamp(Math.min(from, to), 0, limit));
  let high = Math.round(clamp(Math.max(from, to), 0, limit));
  if (high - low < side) {
    if (to >= from) {
      low = Math.min(Math.round(clamp(from, 0, limit)), limit - side);
      high = low + side;
    } else {
      high = Math.max(Math.round(clamp(from, 0, limit)), side);
      low = high - side;
    }
  }
  return [low, high - low];
}

/**
 * Where to draw the whole photo so that `region` of it fills `box` exactly: offsets and size
 * relative to the box's corner. The caller clips to the box. Each axis has its own scale, as a
 * result's size may round differently from the region's aspect ratio.
 */
export function cropPlacement(box: Size, region: Region, image: Size): Box {
  const sx = box.width / region.width;
  const sy = box.height / region.height;
  return { left: -region.x * sx, top: -region.y * sy, width: image.width * sx, height: image.height * sy };
}

export function sameRegion(a: Region | undefined, b: Region | undefined): boolean {
  if (!a || !b) return a === b;
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/** "256 × 192 at 400, 300" */
export function describeRegion(region: Region): string {
  return `${region.width} × ${region.height} px at ${region.x}, ${region.y}`;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
