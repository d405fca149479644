// Runs every *.test.ts under src-main/, scripts/, bench/ and src-renderer/ with Node's own test runner (through tsx).
// Node 20's `--test` does not expand globs, so the list is built here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = ['src-main', 'scripts', 'bench', 'src-renderer'];
const filter = process.argv.slice(2);

function collect(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(process.cwd(), path));
  }
}

const files: string[] = [];
for (const root of roots) collect(root, files);
const selected = filter.length ? files.filter((f) => filter.some((p) => f.includes(p))) : files;
if (selected.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...selected.sort()], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
