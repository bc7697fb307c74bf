// `--report FILE`, checked before anything runs: only the commands that run charts write a report, and
// the file must be one helmcycle can write, so a long apply does not end in "cannot write the report".
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** The commands that write a report: those that run the charts' lifecycles. */
export const REPORTING_COMMANDS: readonly string[] = ['apply', 'destroy', 'validate'];

/** Refuses `--report` on a command that writes none (plan, status, template, list). Pure. */
export function checkReportCommand(command: string, report: string | undefined): void {
  if (report === undefined || REPORTING_COMMANDS.includes(command)) return;
  throw new UsageError(
    `--report: '${command}' writes no report (only ${REPORTING_COMMANDS.join(', ')} do)`,
    `drop --report, or use it with ${REPORTING_COMMANDS.join(', ')}; nothing was run`,
  );
}

const HINT = 'give a file in an existing folder that you may write to; nothing was run';

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  return (error as Error).message;
}

/**
 * Where the report will go (`report` resolved against `cwd`), or a UsageError saying why it cannot be
 * written there: a folder, a missing folder, no write permission (to the file, or to its folder, where
 * the new report is made before it replaces the old). Creates nothing.
 */
export async function checkReportPath(report: string, cwd: string): Promise<string> {
  const path = resolve(cwd, report);
  const fail = (why: string) => new UsageError(`--report ${report}: ${why}`, HINT);
  if (report.trim() === '') throw fail('no file name given');
  const existing = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw fail(`cannot be read: ${reason(error)}`);
  });
  if (existing?.isDirectory()) throw fail(`${path} is a folder; name a file in it, such as ${resolve(path, 'report.html')}`);
  if (/[\\/]$/.test(report)) throw fail('names a folder (it ends in a slash); name a file, such as report.html');
  if (existing) await access(path, constants.W_OK).catch((error: unknown) => { throw fail(`cannot write ${path}: ${reason(error)}`); });
  // The report is written to a new file beside it and renamed over it (private-file.ts): the folder
  // must take a new file even when the report replaces one.
  const folder = dirname(path);
  const parent = await stat(folder).catch(() => undefined);
  if (!parent) throw fail(`the folder ${folder} does not exist`);
  if (!parent.isDirectory()) throw fail(`${folder} is not a folder`);
  await access(folder, constants.W_OK | constants.X_OK).catch((error: unknown) => { throw fail(`cannot create a file in ${folder}: ${reason(error)}`); });
  return path;
}

/** Both checks, for the CLI's pre-action hook: the report's absolute path, or undefined without --report. */
export async function checkReportOption(command: string, report: string | undefined, cwd: string): Promise<string | undefined> {
  checkReportCommand(command, report);
  return report === undefined ? undefined : checkReportPath(report, cwd);
}
