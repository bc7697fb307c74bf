// The live view on a terminal: the tree of tree-view.ts, redrawn in place with log-update a few times a
// second. Each frame fits the terminal (width and height), so that nothing wraps and a redraw always
// erases exactly the previous frame. A notice (Ctrl-C) is drawn into the frame rather than written
// under it; the last frame (every row, the summary, the report's path) is written once, in full, into
// the scrollback, and the terminal is let go before anything else prints.
import { createLogUpdate } from 'log-update';
import type { StackEvent } from '../../stack/events.js';
import { systemClock, type Clock } from './clock.js';
import { clearLiveView, setLiveView, type LiveView } from './live-view.js';
import { NO_COLORS, type Palette } from './palette.js';
import { TreeModel } from './tree-model.js';
import { renderTree } from './tree-view.js';
import type { Renderer } from './types.js';

/** What the tree draws on: process.stdout, or a fake one in tests. */
export interface TerminalStream {
  write(chunk: string): boolean;
  columns?: number | undefined;
  rows?: number | undefined;
  isTTY?: boolean | undefined;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

export interface TreeOptions {
  stream?: TerminalStream;
  clock?: Clock;
  paint?: Palette;
  reportPath?: string | undefined;
  redrawMs?: number;
}

/** When the stream does not say (not a terminal after all). */
const DEFAULT_COLUMNS = 80;
const DEFAULT_ROWS = 24;

/**
 * The width a frame may take: one column short of the terminal's, since a line that fills the last
 * column leaves the cursor in a pending-wrap state some terminals (and tmux) resolve differently, and
 * an emoji whose width the terminal judges otherwise then still does not wrap.
 */
export function frameWidth(stream: TerminalStream): number {
  return Math.max(10, (stream.columns || DEFAULT_COLUMNS) - 1);
}

/** Lines a live frame may take: the terminal's rows, less one for the cursor's line under it. */
export function frameHeight(stream: TerminalStream): number {
  return Math.max(3, (stream.rows || DEFAULT_ROWS) - 1);
}

export function treeRenderer(options: TreeOptions = {}): Renderer {
  const stream = options.stream ?? process.stdout;
  const clock = options.clock ?? systemClock;
  const paint = options.paint ?? NO_COLORS;
  const model = new TreeModel();
  const log = createLogUpdate(stream as NodeJS.WriteStream);
  let closed = false;
  // Nothing is drawn before the run's first event (a run that fails to start leaves no empty frame).
  let started = false;
  const frame = (height: number | undefined) =>
    renderTree(model, { now: clock.now(), width: frameWidth(stream), height, paint, reportPath: options.reportPath }).join('\n');
  const draw = () => {
    if (!closed && started) log(frame(frameHeight(stream)));
  };
  const stopTicking = clock.every(options.redrawMs ?? 200, draw);
  const onResize = () => draw();
  stream.on?.('resize', onResize);

  const finish = () => {
    if (closed) return;
    // After a Ctrl-C the run has ended by now: the notice says what happened rather than what will.
    if (model.notice && model.tally.finished) model.notice = 'interrupted: the running charts were cancelled';
    stopTicking();
    stream.off?.('resize', onResize);
    // Erase the live frame (and a "^C" the terminal echoed under it), then write the whole tree once:
    // it may be taller than the screen, and it stays in the scrollback as the run's record.
    log.clear();
    log.done();
    if (started) stream.write(`${frame(undefined)}\n`);
    closed = true;
    clearLiveView(view);
  };

  const view: LiveView = {
    announce(text, { final = false } = {}) {
      model.notice = text;
      started = true;
      if (final) {
        finish();
        return;
      }
      // A full redraw: the echoed "^C" sits on the line under the frame, which a partial one keeps.
      log.clear();
      draw();
    },
  };
  setLiveView(view);

  return {
    event(event: StackEvent) {
      model.apply(event);
      started = true;
      draw();
    },
    close: finish,
  };
}
