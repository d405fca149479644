// Child processes started from source are TypeScript too, and need the tsx loader. Named by its
// absolute URL: a bare `--import tsx` is looked up from the current folder, so a command run from
// any other folder (the installed `pure-studio`) would start children that die at once.

/** node's execArgv for a child entry: the loader for a .ts file, nothing for built JavaScript. */
export function loaderArgsFor(entry: string): string[] {
  // Resolved only from source: the packaged app ships no tsx and starts no .ts entry.
  return entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
}
