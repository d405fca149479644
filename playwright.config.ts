// End-to-end tests of what a person sees, in the system's Chromium (Playwright downloads no
// browser here): studio.spec.ts runs the built page against the real engine through the local
// bridge (`npm run serve`), app.spec.ts the page with no engine, worker.spec.ts the bundled
// worker; electron.spec.ts drives the real app where an Electron binary exists and is skipped,
// saying why, where it does not. Build first (`npm run e2e` does). Screenshots of the main states
// are written to test-results/screenshots.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.PURE_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
