// Child-process entry for build-dir-child.ts: builds the dir target with the options given as JSON
// in argv[2], then prints one line, `RESULT <json>`, with the resources folder or the error.
import { buildDir, type DirBuild } from './build-dir';

const options = JSON.parse(process.argv[2]) as DirBuild;
try {
  const resources = await buildDir(options);
  process.stdout.write(`\nRESULT ${JSON.stringify({ resources })}\n`);
} catch (error) {
  process.stdout.write(`\nRESULT ${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
}
