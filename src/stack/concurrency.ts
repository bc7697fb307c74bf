// How many charts run at once by default; its own module so that the CLI's help names it without
// loading the scheduler.
export const DEFAULT_CONCURRENCY = 4;
