// The folder relative paths are meant from: where the person typed the command. `npm run` starts
// scripts in the package's folder and keeps the caller's in INIT_CWD; the `pure-studio` command
// passes it as PURE_STUDIO_CWD.
export function callerCwd(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PURE_STUDIO_CWD) return env.PURE_STUDIO_CWD;
  if (env.npm_lifecycle_event && env.INIT_CWD) return env.INIT_CWD;
  return process.cwd();
}
