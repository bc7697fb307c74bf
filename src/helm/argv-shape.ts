// The one shape of every helm argv helmcycle builds. A stack file is data, and nothing in it may become a
// flag of helm's: the command's words come first, then every flag, each flag that takes a value as one
// `--flag=value` element (pflag reads everything after the first `=` as the value, whatever it starts
// with), then the end-of-flags marker `--`, then the positionals (release, chart, revision, folder), which
// cobra/pflag in Helm 3 and Helm 4 take as positionals even when they start with `-`. A chart named
// `--post-renderer=./evil.sh` is then a chart helm cannot find, never a post-renderer. Pure.

/** Where helm's flags end: every later element is a positional. */
export const END_OF_FLAGS = '--';

/** A flag and its value as one argv element, so the value can never be read as a flag of its own. */
export function flagValue(name: string, value: string | number): string {
  return `--${name}=${value}`;
}

/** A helm command: its words, its flags, then the end-of-flags marker and its positionals. */
export function command(words: readonly string[], flags: readonly string[], positionals: readonly string[] = []): string[] {
  return [...words, ...flags, END_OF_FLAGS, ...positionals];
}

/**
 * `argv` with more flags (the client's --kubeconfig and --kube-context), put before the end-of-flags
 * marker so that helm reads them as flags. Every value before the marker is inside a `--flag=value`
 * element, so the first bare `--` is the marker.
 */
export function withFlags(argv: readonly string[], flags: readonly string[]): string[] {
  const end = argv.indexOf(END_OF_FLAGS);
  if (end < 0) return [...argv, ...flags];
  return [...argv.slice(0, end), ...flags, ...argv.slice(end)];
}

/** The flags when `enabled`, else none. */
export function flag(enabled: boolean, ...args: string[]): string[] {
  return enabled ? args : [];
}

