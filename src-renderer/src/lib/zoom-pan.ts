// Pointer and wheel input for a view of the photo: the wheel (and a trackpad pinch, which
// Chromium reports as a wheel with ctrlKey) zooms about the cursor, a drag pans, two fingers
// pinch, and a press that does not move is a tap. All of it goes to the shared ViewTransform.
import type { ViewTransform } from './view-transform.svelte';

export interface ZoomPanOptions {
  transform: ViewTransform;
  /** A press and release without movement, at the pointer's position within the element. */
  onTap?: (x: number, y: number, rect: DOMRect) => void;
}

/** Movement below this many pixels is still a tap, not a pan. */
const TAP_SLOP = 4;

export function zoomPan(node: HTMLElement, { transform, onTap }: ZoomPanOptions): () => void {
  const pointers = new Map<number, { x: number; y: number }>();
  let travelled = 0;

  const fromCentre = (clientX: number, clientY: number): [number, number] => {
    const rect = node.getBoundingClientRect();
    return [clientX - rect.left - rect.width / 2, clientY - rect.top - rect.height / 2];
  };

  const wheel = (event: WheelEvent): void => {
    event.preventDefault();
    // Pinch gestures report small deltas with ctrlKey: they need a stronger response.
    const speed = event.ctrlKey ? 0.01 : 0.0015;
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    transform.zoomTo(transform.zoom * Math.exp(-delta * speed), ...fromCentre(event.clientX, event.clientY));
  };

  const down = (event: PointerEvent): void => {
    // Controls drawn over the photo (the slider's handle) take their own pointer input.
    if (event.button !== 0 || (event.target as Element | null)?.closest('[data-no-pan]')) return;
    node.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 1) travelled = 0;
  };

  const move = (event: PointerEvent): void => {
    const previous = pointers.get(event.pointerId);
    if (!previous) return;
    const current = { x: event.clientX, y: event.clientY };
    if (pointers.size === 2) {
      const [other] = [...pointers.entries()].filter(([id]) => id !== event.pointerId).map(([, p]) => p);
      const before = Math.hypot(previous.x - other.x, previous.y - other.y);
      const after = Math.hypot(current.x - other.x, current.y - other.y);
      if (before > 0) transform.zoomTo(transform.zoom * (after / before), ...fromCentre((current.x + other.x) / 2, (current.y + other.y) / 2));
      travelled = Infinity;
    } else {
      const dx = current.x - previous.x;
      const dy = current.y - previous.y;
      travelled += Math.hypot(dx, dy);
      if (travelled > TAP_SLOP) transform.panBy(dx, dy);
    }
    pointers.set(event.pointerId, current);
  };

  const up = (event: PointerEvent): void => {
    if (!pointers.delete(event.pointerId)) return;
    if (pointers.size === 0 && travelled <= TAP_SLOP && event.type === 'pointerup') {
      const rect = node.getBoundingClientRect();
      onTap?.(event.clientX - rect.left, event.clientY - rect.top, rect);
    }
  };

  node.addEventListener('wheel', wheel, { passive: false });
  node.addEventListener('pointerdown', down);
  node.addEventListener('pointermove', move);
  node.addEventListener('pointerup', up);
  node.addEventListener('pointercancel', up);
  return () => {
    node.removeEventListener('wheel', wheel);
    node.removeEventListener('pointerdown', down);
    node.removeEventListener('pointermove', move);
    node.removeEventListener('pointerup', up);
    node.removeEventListener('pointercancel', up);
  };
}
