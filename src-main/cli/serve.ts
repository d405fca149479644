// `npm run serve -- --root <folder>`: PURE Studio in a browser on this machine. Starts the engine
// worker and the local HTTP bridge (src-main/bridge), and prints the one link that works (it
// carries a random token). Needs the renderer built first (`npm run build`).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBridge } from '../bridge/server';
import { defaultStateDir } from '../bridge/state-dir';
import { studioHome } from '../engine/models/paths';
import { forkNodeWorker } from '../worker/host/node-worker';
import { StudioHost } from '../worker/host/studio-host';

const USAGE = `npm run serve -- [options]

  --root <folder>     the folder whose photos the page may open and save into (default: current folder)
  --port <n>          port on 127.0.0.1 (default: a free one)
  --state <folder>    results, thumbnails, library and settings (default: one folder per root,
                      <PURE Studio data>/bridge/<root's name>-<hash>)
  -h, --help          this text`;

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const log = (line: string): void => console.error(`[bridge ${process.pid}] ${line}`);

function fail(message: string): never {
  console.error(`error: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: { root: { type: 'string' }, port: { type: 'string' }, state: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const root = resolve(args.root ?? process.cwd());
  if (!existsSync(root) || !statSync(root).isDirectory()) fail(`--root ${root} is not a folder`);
  const port = args.port === undefined ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535`);
  const stateDir = resolve(args.state ?? defaultStateDir(root, studioHome()));
  const rendererDir = join(projectRoot, 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    console.error('error: the page has not been built yet.\nhint: run `npm run build` first, then `npm run serve` again.');
    process.exit(1);
  }
  const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  const workerEntry = fileURLToPath(new URL('../worker/index.ts', import.meta.url));

  const host = new StudioHost({
    info: { version, transport: 'bridge', nativeDialogs: false, menu: false, reveal: false },
    stateDir,
    settingsFile: join(stateDir, 'settings.json'),
    browseRoot: root,
    spawnWorker: () => forkNodeWorker(workerEntry, log),
    log,
  });
  await host.start();
  const bridge = await startBridge({ host, rendererDir, port, log });

  console.log(`PURE Studio ${version} is ready.`);
  console.log(`  Photos from: ${root}`);
  console.log(`  Open:        ${bridge.url}`);
  console.log('  Only this computer can connect, and only with that link: keep it to yourself. Ctrl-C stops.');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    Promise.all([bridge.close(), host.stop()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exit(1);
});
