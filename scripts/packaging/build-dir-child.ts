// buildDir in a child process with its output captured. electron-builder logs to standard output
// and its helper binaries inherit it; inside a `node --test` file that output interleaves with the
// test runner's own messages on the same pipe and can corrupt them ("Unable to deserialize cloned
// data"), so tests build through here.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DirBuild } from './build-dir';

export async function buildDirInChild(options: DirBuild): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'build-dir-run.ts'), JSON.stringify(options)], {
    cwd: options.projectDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the dir build ended (exit ${code}) without a result:\n${output.slice(-4000)}`);
  const result = JSON.parse(line.slice('RESULT '.length)) as { resources?: string; error?: string };
  if (result.error !== undefined) throw new Error(result.error);
  return result.resources!;
}
