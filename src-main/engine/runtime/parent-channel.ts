// Replies from an engine child process to its parent. The parent may be gone (crashed or killed)
// while a long native call blocked this process; a reply then fails with EPIPE or a closed
// channel, which without a callback becomes an unhandled 'error' event whose stack trace lands in
// the terminal the parent shared. Nobody is left to answer to, so the child exits quietly.

export function postToParent(message: unknown): void {
  if (!process.send || !process.connected) process.exit(0);
  process.send(message, undefined, undefined, (error: Error | null) => {
    if (error) process.exit(0);
  });
}
