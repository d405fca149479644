// Which photos of the library are selected, the way file managers do it: a click selects one,
// Ctrl/Cmd-click toggles one, Shift-click selects the range from the last clicked (the anchor),
// Ctrl+Shift-click adds that range. Keys are photo paths; the order is the list as shown.
export interface ClickModifiers {
  /** Ctrl (Cmd on macOS): toggle, or add a range to what is selected. */
  toggle?: boolean;
  /** Shift: from the anchor to here. */
  range?: boolean;
}

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
    if (modifiers.range && this.anchor !== undefined) {
      const from = order.indexOf(this.anchor);
      const to = order.indexOf(key);
      if (from >= 0 && to >= 0) {
        const span = order.slice(Math.min(from, to), Math.max(from, to) + 1);
        this.keys = new Set(modifiers.toggle ? [...this.keys, ...span] : span);
        return true;
      }
    }
    if (modifiers.toggle) {
      const next = new Set(this.keys);
      const added = !next.delete(key);
      if (added) next.add(key);
      this.keys = next;
      this.anchor = key;
      return added;
    }
    this.only(key);
    return true;
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
