// Finds many fixed strings in a text at once: the masker's forms of every secret. One regular expression
// alternating thousands of forms (a PEM key masked line by line brings some thousands) costs seconds
// per megabyte in V8, since no alternative shares a prefix it could use; this looks each position's
// first four characters up in a table instead and compares only the forms that start with them, which
// keeps masking a megabyte of output in the tens of milliseconds whatever the number of secrets. Finds
// the leftmost match, the longest there, as the alternation did (forms sorted longest first). Pure.

/** How many leading characters index a form: every form is at least this long (MIN_MASKED_LENGTH). */
const INDEX_LENGTH = 4;

/** Lower case character by character, so positions stay those of the original text. */
function fold(text: string): string {
  const lower = text.toLowerCase();
  // Lowering only ever lengthens a text (İ → i̇); equal lengths mean every position is where it was.
  if (lower.length === text.length) return lower;
  let out = '';
  for (const char of text) {
    const folded = char.toLowerCase();
    out += folded.length === char.length ? folded : char;
  }
  return out;
}

const pairAt = (text: string, at: number) => text.charCodeAt(at) * 65536 + text.charCodeAt(at + 1);
/** A cheap first test of a position: a bit per hash of the first two characters of some form. */
const PAIR_BITS = 1 << 16;
const pairHash = (text: string, at: number) => (text.charCodeAt(at) * 31 + text.charCodeAt(at + 1)) & (PAIR_BITS - 1);

export class FormMatcher {
  /** First two characters → next two → the forms starting with those four, longest first. */
  private readonly index = new Map<number, Map<number, string[]>>();
  private readonly starts: Uint8Array;
  readonly empty: boolean;

  /** `caseFree`: letter case does not matter (the forms and the text are compared lower-cased). */
  constructor(forms: Iterable<string>, private readonly caseFree: boolean) {
    const unique = [...new Set([...forms].map((f) => (caseFree ? fold(f) : f)))].filter((f) => f.length >= INDEX_LENGTH).sort((a, b) => b.length - a.length);
    // A masker with nothing to mask (most charts have no secret) allocates nothing.
    this.starts = new Uint8Array(unique.length ? PAIR_BITS : 0);
    for (const form of unique) {
      this.starts[pairHash(form, 0)] = 1;
      let inner = this.index.get(pairAt(form, 0));
      if (!inner) this.index.set(pairAt(form, 0), (inner = new Map()));
      const list = inner.get(pairAt(form, 2));
      if (list) list.push(form);
      else inner.set(pairAt(form, 2), [form]);
    }
    this.empty = unique.length === 0;
  }

  /** The length of the longest form at `at` in `hay` (the text as compared), 0 when none starts there. */
  private matchAt(hay: string, at: number): number {
    if (this.starts[pairHash(hay, at)] === 0) return 0;
    const list = this.index.get(pairAt(hay, at))?.get(pairAt(hay, at + 2));
    if (!list) return 0;
    for (const form of list) if (hay.startsWith(form, at)) return form.length;
    return 0;
  }

  /** The text with every occurrence of a form replaced by `replacement`. */
  replace(text: string, replacement: string): string {
    if (this.empty) return text;
    const hay = this.caseFree ? fold(text) : text;
    let out = '';
    let copied = 0;
    for (let at = 0; at + INDEX_LENGTH <= hay.length; ) {
      const length = this.matchAt(hay, at);
      if (length === 0) {
        at++;
        continue;
      }
      out += text.slice(copied, at) + replacement;
      at += length;
      copied = at;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  /** True when the text holds a form. */
  test(text: string): boolean {
    if (this.empty) return false;
    const hay = this.caseFree ? fold(text) : text;
    for (let at = 0; at + INDEX_LENGTH <= hay.length; at++) if (this.matchAt(hay, at) > 0) return true;
    return false;
  }
}
