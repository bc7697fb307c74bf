// Whether a path lies inside a folder: the one containment rule every reader of stack data shares (the
// stack's own files, `ref+file://` secrets), so a `..` or an absolute path is judged the same everywhere.
import { isAbsolute, relative, sep } from 'node:path';

/** Whether `path` is `folder` or inside it; both real, absolute paths. Pure. */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
