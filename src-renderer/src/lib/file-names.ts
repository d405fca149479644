// File names typed in the Save dialog: refused when a computer could not use them (Windows is the
// strictest), and the next free name when one is taken.

const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;
const FORBIDDEN = /[\\/:*?"<>|\u0000-\u001f]/;

/** Why `name` (without its extension) cannot be a file name everywhere, or undefined. */
export function nameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Type a file name.';
  if (FORBIDDEN.test(trimmed)) return 'A file name cannot contain / \\ : * ? " < > | (and so no folder path).';
  if (trimmed.startsWith('.')) return 'A file name cannot start with a dot.';
  if (trimmed.endsWith('.')) return 'A file name cannot end with a dot.';
  if (RESERVED.test(trimmed)) return `“${trimmed}” cannot be used: Windows keeps that name for itself.`;
  return undefined;
}

/** `base`, or `base-2`, `base-3`… : the first whose file (with `extension`) is not in `taken`. */
export function freeName(base: string, extension: string, taken: ReadonlySet<string>): string {
  const isTaken = (candidate: string): boolean => taken.has(`${candidate}${extension}`.toLowerCase());
  if (!isTaken(base)) return base;
  for (let n = 2; ; n++) if (!isTaken(`${base}-${n}`)) return `${base}-${n}`;
}
