// What a sensitive value (setSensitive, a repository password) may be. Every sensitive value is masked
// wherever helmcycle prints, and masking `true`, `1` or `ab` would blank that text in every manifest, plan
// and event of the run, so such a value is refused when the stack is loaded, with the field named. The
// message never repeats the value. Pure.
import { z } from 'zod';

/** The shortest sensitive value: anything shorter is found all over ordinary output. */
export const MIN_SENSITIVE_LENGTH = 4;

/** YAML's keywords, found in nearly every manifest; as a secret they cannot be masked. */
const KEYWORDS = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', '~']);

/** Why a value cannot be a sensitive value, or undefined when it can. */
export function unmaskableReason(value: unknown): string | undefined {
  if (typeof value === 'boolean') return "a sensitive value cannot be a boolean (masking it would blank 'true' or 'false' in all output); use `set` for a value that is not secret";
  const text = String(value);
  if (KEYWORDS.has(text.trim().toLowerCase())) return 'a sensitive value cannot be true, false, null or a like YAML keyword (masking it would blank that word in all output)';
  if ([...text.trim()].length < MIN_SENSITIVE_LENGTH) return `a sensitive value needs at least ${MIN_SENSITIVE_LENGTH} characters besides white space (masking a shorter one would blank that text in all output)`;
  return undefined;
}

/** A schema's values refused when unmaskable (the issue at the value's own path). */
export function maskable<T extends z.ZodType>(schema: T) {
  return schema.superRefine((value, ctx) => {
    const reason = unmaskableReason(value);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  });
}
