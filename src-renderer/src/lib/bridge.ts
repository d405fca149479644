// Where the page finds the desktop app: the preload's `window.pureStudio`. In a plain browser
// (the e2e tests, a dev tab opened by hand) there is none, and the page says so.
import type { PureStudioApi } from '../../../src-main/protocol/api';

export function findBridge(): PureStudioApi | undefined {
  return (window as Window & { pureStudio?: PureStudioApi }).pureStudio;
}
