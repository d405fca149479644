// Small display helpers, kept out of components so they read as markup.

/** The file name of a path from any platform. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** The folder part of a path, in the path's own separator. */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut > 0 ? path.slice(0, cut) : path.slice(0, cut + 1);
}

export function joinPath(folder: string, name: string): string {
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return folder.endsWith(separator) ? folder + name : folder + separator + name;
}

/** A long name cut in the middle, so its start and its extension both stay readable. */
export function shortName(name: string, max = 40): string {
  if (name.length <= max) return name;
  const tail = Math.min(Math.floor((max - 1) / 2), 16);
  return `${name.slice(0, max - 1 - tail)}…${name.slice(name.length - tail)}`;
}

/** `photo.jpg` -> `photo` */
export function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

export function duration(seconds: number): string {
  if (seconds < 1) return 'less than a second';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  // PURE on a CPU runs for hours: "2 h 10 min" reads better than "130 min".
  const minutes = Math.round(seconds / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}

export function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  if (count < 1024 ** 2) return `${(count / 1024).toFixed(0)} KB`;
  if (count < 1024 ** 3) return `${(count / 1024 ** 2).toFixed(1)} MB`;
  return `${(count / 1024 ** 3).toFixed(2)} GB`;
}

export function pixels(size: { width: number; height: number }): string {
  return `${size.width} × ${size.height}`;
}
