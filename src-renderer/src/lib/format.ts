// Small display helpers, kept out of components so they read as markup.

/** The file name of a path from any platform. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

export function duration(seconds: number): string {
  if (seconds < 1) return 'less than a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}
