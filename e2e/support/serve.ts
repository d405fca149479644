// Starts `npm run serve` (src-main/cli/serve.ts under tsx) the way a person would, on a folder
// of test photos, and reads the link it prints. The e2e tests drive the real engine through it.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const projectRoot = resolve(import.meta.dirname, '..', '..');

export interface Served {
  /** The printed link, token included. */
  url: string;
  /** http://127.0.0.1:port */
  origin: string;
  token: string;
  stop(): Promise<void>;
}

/** `env` adds to this process's environment (a models home and catalog, say). */
export async function startServe(root: string, state: string, env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/serve.ts', '--root', root, '--state', state], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (process.env.PURE_E2E_VERBOSE) process.stderr.write(chunk);
  });
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm run serve printed no link within 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        done(match[0]);
      }
    });
    child.on('exit', (code) => fail(new Error(`npm run serve exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
