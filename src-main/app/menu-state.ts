// Which menu commands can act now, decided without Electron (menu.ts builds the menu from it).
// The viewer's zoom and comparison act on the photo on show: with none that can be looked at (an
// empty library, nothing selected, a file that cannot be decoded) the page ignores them, so the
// menu greys them out instead of offering what does nothing. The page reports the state.
import type { AppCommand } from '../protocol/api';

export interface MenuState {
  /** The page shows a photo that can be looked at (the renderer's Studio.canView). */
  viewing: boolean;
}

/** The commands that act on the photo on show. */
export const VIEWING_COMMANDS: readonly AppCommand[] = ['toggle-compare', 'zoom-in', 'zoom-out', 'zoom-fit', 'zoom-actual'];

/** Whether the menu item sending `command` is enabled in `state`. */
export function commandEnabled(command: AppCommand, state: MenuState): boolean {
  return VIEWING_COMMANDS.includes(command) ? state.viewing : true;
}

/** Before the page says anything (starting, reloading): nothing on show. */
export const INITIAL_MENU_STATE: MenuState = { viewing: false };
