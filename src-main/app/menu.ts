// The application menu: the usual shortcuts, each sent to the page as a command (the page owns
// what they act on), plus recent files, which main opens itself.
import { app, Menu } from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../protocol/api';
import { commandEnabled } from './menu-state';
import type { MenuState } from './menu-state';

export interface MenuActions {
  command: (command: AppCommand) => void;
  openRecent: (path: string) => void;
  recent: string[];
  devTools: boolean;
  /** What the page reports (a photo on show): the viewer's items are greyed out without one. */
  state: MenuState;
}

export function buildMenu({ command, openRecent, recent, devTools, state }: MenuActions): Menu {
  const item = (label: string, accelerator: string | undefined, cmd: AppCommand): MenuItemConstructorOptions => ({
    id: cmd,
    label,
    accelerator,
    enabled: commandEnabled(cmd, state),
    click: () => command(cmd),
  });
  const mac = process.platform === 'darwin';

  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: '&File',
      submenu: [
        item('Open Photos…', 'CmdOrCtrl+O', 'open-photos'),
        item('Open Folder…', 'CmdOrCtrl+Shift+O', 'open-folder'),
        {
          label: 'Open Recent',
          submenu: recent.length
            ? [
                ...recent.map((path): MenuItemConstructorOptions => ({ label: path, click: () => openRecent(path) })),
                { type: 'separator' },
                { label: 'Clear Menu', role: 'clearRecentDocuments' },
              ]
            : [{ label: 'No recent photos', enabled: false }],
        },
        { type: 'separator' },
        item('Save Restored Photo…', 'CmdOrCtrl+S', 'save'),
        item(mac ? 'Reveal in Finder' : 'Show in Folder', 'CmdOrCtrl+Shift+R', 'reveal'),
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit', accelerator: 'Ctrl+Q' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        item('Toggle Slider / Side by Side', 'CmdOrCtrl+K', 'toggle-compare'),
        { type: 'separator' },
        item('Zoom In', 'CmdOrCtrl+=', 'zoom-in'),
        item('Zoom Out', 'CmdOrCtrl+-', 'zoom-out'),
        item('Fit to Window', 'CmdOrCtrl+0', 'zoom-fit'),
        item('Actual Size (100%)', 'CmdOrCtrl+1', 'zoom-actual'),
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(devTools ? [{ role: 'toggleDevTools' } as MenuItemConstructorOptions] : []),
      ],
    },
    {
      label: '&Restoration',
      submenu: [item('Restore Photo', 'CmdOrCtrl+Enter', 'run'), item('Cancel', 'Escape', 'cancel')],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}

export function installMenu(actions: MenuActions): void {
  Menu.setApplicationMenu(buildMenu(actions));
  app.setName('PURE Studio');
}
