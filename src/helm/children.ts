// The helm processes this process is running, so that an exit that cannot wait for them (a second
// Ctrl-C) still stops them: SIGTERM to each (helm then records an interrupted upgrade as failed rather
// than leaving it pending), SIGKILL to any still running after a grace period.

export interface TrackedChild {
  readonly pid: number | undefined;
  kill(signal: NodeJS.Signals): boolean;
  /** Settles when the process has exited. */
  readonly exited: Promise<unknown>;
}

const running = new Set<TrackedChild>();

/** Tracks a child until it exits. */
export function trackChild(child: TrackedChild): void {
  running.add(child);
  const forget = () => running.delete(child);
  child.exited.then(forget, forget);
}

export function runningChildren(): number {
  return running.size;
}

/** Stops every tracked child; resolves once all have exited or been sent SIGKILL. */
export async function stopChildren(graceMs = 3_000): Promise<void> {
  const children = [...running];
  if (children.length === 0) return;
  for (const child of children) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([Promise.allSettled(children.map((c) => c.exited)), grace]);
  clearTimeout(timer);
  const left = children.filter((c) => running.has(c));
  for (const child of left) child.kill('SIGKILL');
  // SIGKILL cannot be refused; wait a moment for the exits to be reaped.
  await Promise.race([Promise.allSettled(left.map((c) => c.exited)), new Promise((r) => setTimeout(r, 500))]);
}
