// Which photos of the library are selected (the rules: selection-rules.ts). Keys are photo
// paths; the order is the list as shown.
import { afterClick } from './selection-rules';
import type { ClickModifiers } from './selection-rules';

export type { ClickModifiers } from './selection-rules';

export class Selection {
  /** Replaced, never mutated, so that readers re-render. */
  keys = $state<ReadonlySet<string>>(new Set());
  /** Where a Shift-click range starts. */
  anchor = $state<string | undefined>();

  readonly size = $derived(this.keys.size);

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Applies a click on `key` in the list `order`; returns whether `key` ends up selected. */
  click(key: string, order: readonly string[], modifiers: ClickModifiers = {}): boolean {
    const next = afterClick({ keys: this.keys, anchor: this.anchor }, key, order, modifiers);
    this.keys = next.keys;
    this.anchor = next.anchor;
    return next.selected;
  }

  only(key: string): void {
    this.keys = new Set([key]);
    this.anchor = key;
  }

  all(order: readonly string[]): void {
    this.keys = new Set(order);
  }

  clear(): void {
    this.keys = new Set();
    this.anchor = undefined;
  }

  /** Drops keys no longer in the library (removed photos). */
  keepOnly(present: ReadonlySet<string>): void {
    if ([...this.keys].every((key) => present.has(key))) return;
    this.keys = new Set([...this.keys].filter((key) => present.has(key)));
    if (this.anchor !== undefined && !present.has(this.anchor)) this.anchor = undefined;
  }

  /** The selected keys in list order. */
  inOrder(order: readonly string[]): string[] {
    return order.filter((key) => this.keys.has(key));
  }
}
