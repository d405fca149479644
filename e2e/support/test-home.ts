// A PURE Studio home of a spec's own, filled the way a person fills one: the project's commands
// run under tsx with PURE_STUDIO_HOME pointing at it. PURE's TEST MODEL (tiny, random weights,
// fixed seed: it restores nothing) is made by the fixture generator and converted by the real
// converter; Real-ESRGAN's fast model is copied from this machine's install.
import { execFile } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { modelsDir } from '../../src-main/engine/models/paths';
import { projectRoot } from './serve';

const run = promisify(execFile);

/** A project command under tsx, as a person would run it, in `home`; its stdout. */
export async function projectCommand(home: string, script: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: projectRoot, env: { ...process.env, PURE_STUDIO_HOME: home }, maxBuffer: 16 << 20 });
  return stdout;
}

/**
 * PURE's TEST MODEL as a converted package in `pkg` (its checkpoint made in `work` with `seed`);
 * with `install`, imported into `home` as a person imports a package folder.
 */
export async function makePureTestPackage(home: string, work: string, pkg: string, options: { seed: number; install: boolean }): Promise<void> {
  const checkpoint = join(work, 'checkpoint');
  await projectCommand(home, 'scripts/make-pure-fixture.ts', [checkpoint, '--seed', String(options.seed)]);
  await projectCommand(home, 'src-main/cli/convert.ts', ['pure', '--checkpoint', checkpoint, '--vq', join(checkpoint, 'vq_ds8_c2i.pt'), '--out', pkg, '--dtype', 'fp32']);
  if (options.install) await projectCommand(home, 'src-main/cli/models.ts', ['import', pkg]);
}

/**
 * Real-ESRGAN's fast model, as this machine has it installed, into `home` (which starts empty: a
 * checkout with build/bundle would lend its bundled models, a clean clone does not).
 */
export function installFastModel(home: string): void {
  cpSync(join(modelsDir(), 'realesrgan-x4fast'), join(home, 'models', 'realesrgan-x4fast'), { recursive: true });
}
