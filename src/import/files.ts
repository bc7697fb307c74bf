// The files an import reads besides the helmfile (bases, sub-helmfiles, environment values, templates'
// readFile), through one seam so unit tests give them from memory. Every path a helmfile names is
// resolved against the file that names it and must stay inside the top helmfile's folder, symlinks
// followed: a path that escapes it is refused (exit 2) naming the file and the field, and never read.
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { StackConfigError } from '../errors.js';
import { RenderFailure } from './gotmpl/values.js';
import { shown } from './quote.js';

export interface ImportFiles {
  /** A file's text, or undefined when it cannot be read. */
  read(path: string): string | undefined;
  /** The names in a folder (for `helmfiles:` globs), or none. */
  list(dir: string): string[];
  /** The path with its symlinks resolved (the path itself when it does not exist). */
  real(path: string): string;
}

/** The files on disk. Sync: templates read files while they render, and rendering is synchronous. */
export const diskFiles: ImportFiles = {
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  list: (dir) => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  },
  real: (path) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  },
};

/** Whether `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Where a file's path is shown: relative to the top helmfile's folder. */
export const shownPath = (root: string, path: string) => relative(root, path).split(sep).join('/') || '.';

/**
 * The absolute path of `path`, as the file `from` names it in `field`; refused when it leaves `root`
 * (as written, or through a symlink).
 */
export function containedPath(files: ImportFiles, root: string, from: string, field: string, path: string): string {
  const target = resolve(dirname(from), path);
  const refuse = (how: string) =>
    new StackConfigError(`names a file outside the helmfile's folder ${how}; import reads nothing there`, {
      file: shownPath(root, from),
      issues: [{ field, message: `'${shown(path, 120)}' is outside ${shown(root, 120)}` }],
    });
  if (!isInside(root, target)) throw refuse('');
  if (!isInside(files.real(root), files.real(target))) throw refuse('(through a symbolic link)');
  return target;
}

/** `readFile` for a template in `from`: inside the folder only (exit 2 otherwise); a missing file cannot be rendered. */
export function readerFor(files: ImportFiles, root: string, from: string): (path: string, line: number) => string {
  return (path, line) => {
    const target = containedPath(files, root, from, `readFile at line ${line}`, path);
    const text = files.read(target);
    if (text === undefined) throw new RenderFailure(`readFile ${shown(path, 120)}: no such file`, line);
    return text;
  };
}
