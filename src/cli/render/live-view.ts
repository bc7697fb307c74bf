// The live view on the terminal, if one is drawing, so that process glue (entry.ts: Ctrl-C) can say
// something without writing under it: a line written to the terminal while log-update redraws in
// place shifts the frame by a line, and the next redraw leaves a stale row behind.

export interface LiveView {
  /**
   * Shows a notice in the frame. `final`: the process is about to exit, so the view draws its last
   * frame and lets go of the terminal.
   */
  announce(text: string, options?: { final?: boolean }): void;
}

let current: LiveView | undefined;

export function setLiveView(view: LiveView | undefined): void {
  current = view;
}

export function clearLiveView(view: LiveView): void {
  if (current === view) current = undefined;
}

/** Shows the notice in the live view; false when none is drawing (then the caller writes it itself). */
export function announce(text: string, options?: { final?: boolean }): boolean {
  if (!current) return false;
  current.announce(text, options);
  return true;
}
