// --output json: one event per line, as emitted (events carry no values or secrets).
import type { StackEvent } from '../../stack/events.js';
import type { Renderer } from './types.js';

export function jsonRenderer(write: (line: string) => void): Renderer {
  return { event: (event: StackEvent) => write(JSON.stringify(event)), close() {} };
}
