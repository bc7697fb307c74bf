// What a rendered helmfile holds where a template gave an import value (gotmpl/values.ts): the renderer
// writes a placeholder token, the YAML is parsed, and `revive` puts the value back where the token is the
// whole scalar, so that what it affects (a release's values, its chart, an environment value another
// document reads) is known exactly. A token inside a longer string becomes an Unrenderable (an
// environment reference is resolved only as a whole value). Tokens carry a random nonce per import: a
// helmfile cannot write one itself. Each value remembers the file it came from. Pure but for the nonce.
import { randomBytes } from 'node:crypto';
import { EnvValue, isMap, isSpecial, Unrenderable, type Special } from './gotmpl/values.js';

export interface Located {
  value: Special;
  file: string;
  /** The line of the file (0 when unknown). */
  line: number;
}

export class Placeholders {
  private readonly values: Located[] = [];
  private readonly pattern: RegExp;
  private readonly byValue = new Map<Special, string>();

  constructor(readonly nonce: string = randomBytes(6).toString('hex')) {
    this.pattern = new RegExp(`hcimport${nonce}n(\\d+)x`, 'g');
  }

  /** The token written for a value, from `file` (`lineOffset`: where the rendered part starts, less one). */
  token(value: Special, file: string, lineOffset = 0): string {
    const known = this.byValue.get(value);
    if (known) return known;
    const token = `hcimport${this.nonce}n${this.values.length}x`;
    this.values.push({ value, file, line: value.line ? value.line + lineOffset : 0 });
    this.byValue.set(value, token);
    return token;
  }

  /** Where a value came from: `file:line`, or the file alone. */
  whereOf(value: Special): string {
    const found = this.values.find((v) => v.value === value);
    if (!found) return '';
    return found.line ? `${found.file}:${found.line}` : found.file;
  }

  private tokensIn(text: string): Located[] {
    return [...text.matchAll(this.pattern)].map((m) => this.values[Number(m[1])]!).filter(Boolean);
  }

  /** A parsed document with each whole token back as its value, and each embedded one an Unrenderable. */
  revive(data: unknown): unknown {
    if (typeof data === 'string') {
      const found = this.tokensIn(data);
      if (found.length === 0) return data;
      const whole = new RegExp(`^\\s*${this.pattern.source}\\s*$`).exec(data);
      if (whole) return found[0]!.value;
      const first = found[0]!.value;
      if (first instanceof Unrenderable) return first;
      const reason = `the environment variable ${first.name} inside a longer string (helmcycle resolves a reference only as a whole value)`;
      return this.remember(new Unrenderable(reason, 0), found[0]!.file, found[0]!.line);
    }
    if (Array.isArray(data)) return data.map((item) => this.revive(item));
    if (isMap(data)) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(data)) {
        const inKey = this.tokensIn(key);
        const at = inKey[0];
        out[key] = at ? this.remember(new Unrenderable(`a key made by a template (${at.value instanceof EnvValue ? `the environment variable ${at.value.name}` : at.value.reason})`, 0), at.file, at.line) : this.revive(value);
      }
      return out;
    }
    return data;
  }

  private remember(value: Unrenderable, file: string, line: number): Unrenderable {
    this.token(value, file);
    this.values.at(-1)!.line = line;
    return value;
  }
}

/** Every import value inside `data`, with its path below `field`. */
export function specialsIn(data: unknown, field: string): { field: string; value: Special }[] {
  if (isSpecial(data)) return [{ field, value: data }];
  if (Array.isArray(data)) return data.flatMap((item, index) => specialsIn(item, `${field}[${index}]`));
  if (isMap(data)) return Object.entries(data).flatMap(([key, value]) => specialsIn(value, `${field}.${key}`));
  return [];
}
