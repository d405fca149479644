// The ARIA radio group pattern for rows of role="radio" buttons: the group is one Tab stop (the
// checked option has tabindex 0, the others -1) and the arrow keys, Home and End move the choice.

const NEXT: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/** The group's keydown handler: chooses (clicks) and focuses the option the key moves to. */
export function radioGroupKeydown(event: KeyboardEvent): void {
  const group = event.currentTarget;
  if (!(group instanceof HTMLElement)) return;
  const radios = [...group.querySelectorAll<HTMLElement>('[role="radio"]')].filter((radio) => !radio.hasAttribute('disabled'));
  if (radios.length === 0) return;
  const current = radios.findIndex((radio) => radio === document.activeElement);
  let target: number;
  if (event.key === 'Home') target = 0;
  else if (event.key === 'End') target = radios.length - 1;
  else if (event.key in NEXT) target = (Math.max(current, 0) + NEXT[event.key] + radios.length) % radios.length;
  else return;
  event.preventDefault();
  radios[target].click();
  radios[target].focus();
}

/** The tabindex of one option: only the checked one is reached with Tab. */
export const radioTabIndex = (checked: boolean): number => (checked ? 0 : -1);
