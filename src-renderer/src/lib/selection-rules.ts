// The rules of selecting photos in a list, the way file managers do it, as a pure function (the
// rune-based Selection applies it): a click selects one, Ctrl/Cmd-click toggles one, Shift-click
// selects the range from the anchor (the last plain or Ctrl click), Ctrl+Shift-click adds it.
export interface ClickModifiers {
  /** Ctrl (Cmd on macOS): toggle, or add a range to what is selected. */
  toggle?: boolean;
  /** Shift: from the anchor to here. */
  range?: boolean;
}

export interface SelectionState {
  keys: ReadonlySet<string>;
  anchor: string | undefined;
}

/** The selection after a click on `key` in the list `order`; `selected`: whether `key` is in it. */
export function afterClick(state: SelectionState, key: string, order: readonly string[], modifiers: ClickModifiers = {}): SelectionState & { selected: boolean } {
  if (modifiers.range && state.anchor !== undefined) {
    const from = order.indexOf(state.anchor);
    const to = order.indexOf(key);
    if (from >= 0 && to >= 0) {
      const span = order.slice(Math.min(from, to), Math.max(from, to) + 1);
      return { keys: new Set(modifiers.toggle ? [...state.keys, ...span] : span), anchor: state.anchor, selected: true };
    }
  }
  if (modifiers.toggle) {
    const keys = new Set(state.keys);
    const added = !keys.delete(key);
    if (added) keys.add(key);
    return { keys, anchor: key, selected: added };
  }
  return { keys: new Set([key]), anchor: key, selected: true };
}
