// --output json: one event per line, as emitted (events carry no values or secrets). The lines of one
// turn of the event loop go out in one write: a write to a pipe is a system call, and a 50-chart run
// emits about 800 events (one write each cost about 80 ms of such a run's CPU).
import type { StackEvent } from '../../stack/events.js';
import type { Renderer } from './types.js';

export function jsonRenderer(write: (line: string) => void): Renderer {
  let pending: string[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    scheduled = undefined;
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    write(lines.join('\n'));
  };
  return {
    event: (event: StackEvent) => {
      pending.push(JSON.stringify(event));
      scheduled ??= setImmediate(flush);
    },
    close() {
      if (scheduled) clearImmediate(scheduled);
      flush();
    },
  };
}
