// The spec fields whose values end up on helm's argv (a chart reference, a version, values files, labels,
// test filters, inline --set values), and what each may hold. helm's argv is built so that no value can
// become a flag (helm/argv-shape.ts); these checks refuse, when the stack is loaded and with the field
// named, what could never be valid there: a chart or version that starts with `-` (helm has no such
// chart), a NUL character (no argv can carry one), a label Kubernetes would refuse.
import { z } from 'zod';

const NUL = '\u0000';

/** Text that can be an argv element: anything but a NUL character. */
export const argvText = z.string().refine((text) => !text.includes(NUL), { error: 'must not contain a NUL character' });

/** A value that would be read as a flag if it were ever an argv element of its own. */
function looksLikeFlag(text: string): boolean {
  return text.startsWith('-');
}

/** Text that names something (a chart, a file, a filter): never starts with `-`, never holds a NUL. */
export function notAFlag(what: string) {
  return argvText.refine((text) => !looksLikeFlag(text), { error: `${what} cannot start with '-' (helm would read it as a flag)`, abort: true });
}

/** The chart: a local directory, a name in `repository`, or an oci:// reference. */
export const chartReferenceSchema = z.string().min(1).pipe(notAFlag('a chart reference'));

/** A path of a values file. */
export const valuesFilePathSchema = z.string().min(1).pipe(notAFlag('a values file path'));

/** An inline --set / --set-string value (numbers and booleans are written by helmcycle itself). */
export const setScalarSchema = z.union([argvText, z.number(), z.boolean()]);

/**
 * helm test --filter: `name=x` runs only x, `!name=y` skips y, comma-separated. A test's name is a pod's
 * name, so no quotes or white space (helm reads the filter as CSV, where a quote means something).
 */
export const testFilterSchema = z.string().regex(/^!?name=[^,"\s]+(,!?name=[^,"\s]+)*$/, "expected 'name=<test>' or '!name=<test>'");

/** A Kubernetes label name: letters, digits, `-`, `_`, `.`, starting and ending alphanumeric, at most 63. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label key's optional prefix: a DNS subdomain of at most 253 characters. */
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return LABEL_NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && LABEL_PREFIX.test(prefix) && LABEL_NAME.test(key.slice(slash + 1));
}

/**
 * Labels recorded on the release (helm --labels). helm stores them as labels of the release's storage
 * Secret, so they must be Kubernetes labels: anything else fails at deploy, after plan said it would work.
 */
export const releaseLabelsSchema = z
  .record(
    z.string(),
    z
      .string()
      .max(63, 'a label value has at most 63 characters')
      .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, 'a label value is letters, digits, -, _ and ., starting and ending with a letter or digit'),
  )
  .superRefine((labels, ctx) => {
    for (const key of Object.keys(labels)) {
      if (!isLabelKey(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'a label key is an optional DNS prefix and / then a name of at most 63 letters, digits, -, _ and .' });
    }
  });
