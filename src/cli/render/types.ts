import type { StackEvent } from '../../stack/events.js';

/** Shows a stack run as it happens. */
export interface Renderer {
  event(event: StackEvent): void;
  /** Stops any live display; called once at the end, before the summary is printed. */
  close(): void;
}
