// A git repository as reconcile's source, through the `git` binary: one private checkout per URL and ref
// in a cache folder, fetched (one commit deep) on every sync and checked out when the commit moved.
// Every git is an argv array with `--` before what the command line gave (never a shell); git never asks
// on a terminal for a password; a URL's credentials never reach a message.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';
import { SourceError } from './errors.js';
import { stackFileIn, type SourceSnapshot, type StackSource } from './source.js';

const run = promisify(execFile);

/** The URL with any user:password@ replaced: what messages and metrics may show. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}

/** A URL or ref that git would read as an option, or a refspec that writes a ref of ours, is refused. */
export function checkGitArguments(url: string, ref: string | undefined): void {
  if (url.startsWith('-') || /[\s]/.test(url)) throw new UsageError(`--source ${redactUrl(url)} is not a git URL`, 'give a URL (https://, ssh://, git@host:path, file://) or a local path');
  if (ref !== undefined && (ref.startsWith('-') || /[\s:^~?*[\\]/.test(ref) || ref.includes('..') || ref === '')) throw new UsageError(`--ref ${ref} is not a branch or tag name`, 'give a branch or tag, e.g. main or v1.2.0');
}

export interface GitSourceOptions {
  url: string;
  ref?: string | undefined;
  path?: string | undefined;
  /** The cache folder checkouts are kept in (made private). */
  cacheDir: string;
  git?: string;
  /** How long one git command may take. */
  timeoutMs?: number;
}

export class GitSource implements StackSource {
  readonly describe: string;
  private readonly dir: string;
  private checkedOut: string | undefined;

  constructor(private readonly options: GitSourceOptions) {
    checkGitArguments(options.url, options.ref);
    this.describe = `${redactUrl(options.url)}${options.ref ? `@${options.ref}` : ''}`;
    const key = createHash('sha256').update(`${options.url}\0${options.ref ?? ''}`).digest('hex').slice(0, 24);
    this.dir = join(options.cacheDir, key);
  }

  private async git(args: string[], signal?: AbortSignal): Promise<string> {
    try {
      const { stdout } = await run(this.options.git ?? 'git', args, {
        // No prompt for a password (a hung fetch would stop the loop), no pager, no system-wide surprises.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '', GIT_PAGER: 'cat' },
        timeout: this.options.timeoutMs ?? 120_000,
        maxBuffer: 4 * 1024 * 1024,
        ...(signal ? { signal } : {}),
      });
      return stdout.trim();
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? (error instanceof Error ? error.message : String(error));
      // git may print the URL it was given, credentials and all.
      const text = stderr.split(this.options.url).join(redactUrl(this.options.url)).replace(/:\/\/[^@/\s]*@/g, '://***@').trim();
      throw new SourceError(`git ${args.find((a) => !a.startsWith('-') && a !== this.dir) ?? ''} of ${this.describe} failed: ${text.split('\n').slice(-3).join(' ')}`, 'check --source and --ref, and that this machine can reach the repository');
    }
  }

  async sync(signal?: AbortSignal): Promise<SourceSnapshot> {
    if (!existsSync(join(this.dir, '.git'))) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await this.git(['init', '--quiet', '--', this.dir], signal);
      // The repository as the checkout's origin (credentials left out): the stack's identity is then the
      // repository and the file in it (stack-origin.ts), the same for every replica's own cache folder,
      // so a new leader after a takeover prunes from the inventory the old leader wrote.
      await this.git(['-C', this.dir, 'config', 'remote.origin.url', redactUrl(this.options.url)], signal);
    }
    await this.git(['-C', this.dir, 'fetch', '--quiet', '--no-tags', '--depth', '1', '--force', '--', this.options.url, this.options.ref ?? 'HEAD'], signal);
    const commit = await this.git(['-C', this.dir, 'rev-parse', '--verify', '--end-of-options', 'FETCH_HEAD^{commit}'], signal);
    if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new SourceError(`git of ${this.describe} named no commit`, 'check --ref');
    if (commit !== this.checkedOut) {
      await this.git(['-C', this.dir, 'checkout', '--quiet', '--force', '--detach', commit], signal);
      await this.git(['-C', this.dir, 'clean', '-ffdxq'], signal);
      this.checkedOut = commit;
    }
    return { file: await stackFileIn(this.dir, this.options.path), revision: commit };
  }
}

/** Whether --source names a git repository (a URL, scp-like, or a folder that is a bare or plain repository) rather than a stack folder. */
export function isGitSource(source: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^[^/\s]+@[^:\s]+:/.test(source)) return true;
  return existsSync(join(source, 'HEAD')) && existsSync(join(source, 'objects'));
}
