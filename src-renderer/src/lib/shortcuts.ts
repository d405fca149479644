// The keyboard shortcuts, for when no application menu provides them (the page in a browser).
// In the desktop app the menu owns the same keys (app/menu.ts) and sends commands instead.
import type { AppCommand } from '../../../src-main/protocol/api';

function typingInField(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  return element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName);
}

export function commandFor(event: KeyboardEvent): AppCommand | undefined {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && key === 'o') return event.shiftKey ? 'open-folder' : 'open-photos';
  if (mod && key === 's') return 'save';
  if (mod && key === 'enter') return 'run';
  if (mod && key === 'k') return 'toggle-compare';
  if (event.key === 'Escape') return 'cancel';
  // Single keys only where they cannot be text or a control's own key.
  if (mod || event.altKey || typingInField(event.target)) return undefined;
  if ((event.target as HTMLElement | null)?.getAttribute?.('role') === 'slider') return undefined;
  switch (event.key) {
    case 'c':
      return 'toggle-compare';
    case '+':
    case '=':
      return 'zoom-in';
    case '-':
      return 'zoom-out';
    case '0':
      return 'zoom-fit';
    case '1':
      return 'zoom-actual';
    default:
      return undefined;
  }
}

/**
 * `M` shows or leaves the Models page. A page of the renderer's own rather than an AppCommand,
 * so it works the same in the desktop app, whose menu has no item for it.
 */
export function isModelsShortcut(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event.target)) return false;
  return event.key === 'm' || event.key === 'M';
}

/**
 * `R` turns the region tool on or off. The renderer's own, like `M`: the menu has no item for it.
 * A held key repeats; only the first press counts, or the tool would flicker on and off.
 */
export function isRegionShortcut(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || typingInField(event.target)) return false;
  return event.key === 'r' || event.key === 'R';
}
