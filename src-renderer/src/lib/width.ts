// The Width setting's rule, said where it is typed: whole pixels from 16 to 65535.
export const WIDTH_RANGE = { min: 16, max: 65535 } as const;

/** Why `text` is not a width Restore can use, or undefined when it is one. */
export function widthProblem(text: string): string | undefined {
  const value = Number(text);
  const ok = text.trim() !== '' && Number.isInteger(value) && value >= WIDTH_RANGE.min && value <= WIDTH_RANGE.max;
  return ok ? undefined : `Between ${WIDTH_RANGE.min} and ${WIDTH_RANGE.max} pixels, in whole pixels`;
}
