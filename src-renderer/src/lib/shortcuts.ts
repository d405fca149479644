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
  // The README's Ctrl+= / Ctrl+- / Ctrl+0 / Ctrl+1: the page takes them before the browser's
  // own page zoom (Chromium lets it; a browser that does not keeps its zoom, and + - 0 1 work).
  if (mod && !event.altKey) {
    if (key === '=' || key === '+') return 'zoom-in';
    if (key === '-') return 'zoom-out';
    if (key === '0') return 'zoom-fit';
    if (key === '1') return 'zoom-actual';
  }
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

/** `?` or F1 shows the list of shortcuts (unless a field is being typed in). */
export function isHelpShortcut(event: KeyboardEvent): boolean {
  if (event.key === 'F1') return true;
  if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event.target)) return false;
  return event.key === '?';
}

/** Every shortcut, as the list on `?` / F1 shows it (the desktop app's menu shows the same keys). */
export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'Ctrl+O', what: 'Open photos' },
  { keys: 'Ctrl+Shift+O', what: 'Open folder' },
  { keys: 'Ctrl+Enter', what: 'Restore the photo' },
  { keys: 'Esc', what: 'Cancel the restoration (or close a dialog)' },
  { keys: 'Ctrl+S', what: 'Save the restored photo' },
  { keys: 'Ctrl+K or C', what: 'Slider / side by side' },
  { keys: 'Ctrl+= or +', what: 'Zoom in' },
  { keys: 'Ctrl+- or -', what: 'Zoom out' },
  { keys: 'Ctrl+0 or 0', what: 'Fit the photo' },
  { keys: 'Ctrl+1 or 1', what: 'Actual size (100%)' },
  { keys: 'R', what: 'Choose a region to restore' },
  { keys: 'M', what: 'The Models page' },
  { keys: 'Ctrl+A', what: 'Select every photo of the library' },
  { keys: '? or F1', what: 'This list' },
];
