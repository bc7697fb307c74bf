// One line per event, with the time since the run started: for CI logs and pipes.
import { formatStackEvent, type StackEvent } from '../../stack/events.js';
import type { Renderer } from './types.js';

export function plainRenderer(write: (line: string) => void, verbose = false): Renderer {
  let start: number | undefined;
  return {
    event(event: StackEvent) {
      // Phase starts are noise in a log; their end lines carry the duration.
      if (!verbose && event.type === 'phase-started') return;
      start ??= event.at;
      write(`[${((event.at - start) / 1000).toFixed(1).padStart(6)}s] ${formatStackEvent(event)}`);
    },
    close() {},
  };
}
