// Which files the page may see. Both transports serve images by path (Electron's pure-media://
// protocol, the HTTP bridge's /media), and both ask this one function first. The rule: a file is
// served only when its real path (symlinks resolved) is a file the person opened, a file the app
// produced, or inside a folder the app owns (its thumbnail cache). Anything else, including a
// relative path, a path with `..` in it, or a symlink leading out, is refused.
// Pure: the file system is passed in (realpath), so this runs and is tested anywhere.

export interface ScopeFileSystem {
  /** Resolves every symlink; rejects when the path does not exist. */
  realpath(path: string): Promise<string>;
}

export type ScopeDecision = { allowed: true; path: string } | { allowed: false; reason: string };

const WINDOWS_ABSOLUTE = /^[A-Za-z]:[\\/]|^\\\\/;

/** Absolute on POSIX or Windows, judged from the string alone. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || WINDOWS_ABSOLUTE.test(path);
}

/**
 * Refuses, before touching the disk, what no legitimate request contains: `..` segments (an
 * opened file's own path never has them, so they can only be an attempt to walk out), relative
 * paths (relative to what?), NUL bytes, and absurd lengths.
 */
export function lexicalProblem(path: string): string | undefined {
  if (path.length === 0 || path.length > 4096) return 'bad length';
  if (path.includes('\0')) return 'NUL byte';
  if (!isAbsolutePath(path)) return 'not an absolute path';
  if (path.split(/[\\/]/).some((segment) => segment === '..')) return 'contains ..';
  return undefined;
}

/** `child` is `folder` itself or lies inside it (both already canonical). */
export function isInside(child: string, folder: string): boolean {
  if (child === folder) return true;
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  const prefix = folder.endsWith(separator) ? folder : folder + separator;
  return child.startsWith(prefix);
}

export class MediaScope {
  /** Canonical paths of single files that may be served. */
  private readonly files = new Set<string>();
  /** Canonical folders whose whole content may be served (the app's own caches). */
  private readonly folders = new Set<string>();

  constructor(private readonly fs: ScopeFileSystem) {}

  /** Lets the page see this file from now on; returns its canonical path. */
  async allowFile(path: string): Promise<string> {
    const problem = lexicalProblem(path);
    if (problem) throw new Error(`cannot allow "${path}": ${problem}`);
    const real = await this.fs.realpath(path);
    this.files.add(real);
    return real;
  }

  /** Lets the page see everything under a folder the app itself owns. */
  async allowFolder(path: string): Promise<string> {
    const problem = lexicalProblem(path);
    if (problem) throw new Error(`cannot allow "${path}": ${problem}`);
    const real = await this.fs.realpath(path);
    this.folders.add(real);
    return real;
  }

  /** Whether the page may read `requested`, and if so the canonical path to read. */
  async check(requested: string): Promise<ScopeDecision> {
    const problem = lexicalProblem(requested);
    if (problem) return { allowed: false, reason: problem };
    let real: string;
    try {
      // Resolved on every request, not once: a symlink may have been re-pointed since.
      real = await this.fs.realpath(requested);
    } catch {
      return { allowed: false, reason: 'does not exist' };
    }
    if (this.files.has(real)) return { allowed: true, path: real };
    for (const folder of this.folders) {
      if (isInside(real, folder)) return { allowed: true, path: real };
    }
    return { allowed: false, reason: 'outside the allowed files' };
  }

  /** Whether `requested` is exactly a file that was allowed (not merely inside an allowed folder). */
  async isAllowedFile(requested: string): Promise<boolean> {
    if (lexicalProblem(requested)) return false;
    const real = await this.fs.realpath(requested).catch(() => undefined);
    return real !== undefined && this.files.has(real);
  }
}
