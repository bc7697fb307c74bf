// The `helmcycle` command: the global options, one command from each file of commands/, and the exit
// code. `main` returns the exit code instead of exiting, so tests can drive it in-process as well as via
// the binary. Only what --help needs is loaded at start-up; a command loads the rest when it runs.
import { CommanderError, type Command } from 'commander';
import { isHelmcycleError } from '../errors.js';
import { createRunMasker, type RunMasker } from '../secrets/sensitive.js';
import { CommandContext, type CommandDeps, type CommandHost } from './command-context.js';
import * as apply from './commands/apply.js';
import * as completion from './commands/completion.js';
import * as destroy from './commands/destroy.js';
import * as importCommand from './commands/import.js';
import * as init from './commands/init.js';
import * as list from './commands/list.js';
import * as plan from './commands/plan.js';
import * as reconcileCommand from './commands/reconcile.js';
import * as status from './commands/status.js';
import * as template from './commands/template.js';
import * as types from './commands/types.js';
import * as validate from './commands/validate.js';
import { EXIT, exitCodeForError } from './exit-codes.js';
import { programWithGlobalOptions, type GlobalOptions } from './global-options.js';
import { checkReportOption } from './report-option.js';
import type { CliIo } from './cli-io.js';

export type { CliIo } from './cli-io.js';

/** The commands, in the order --help lists them: each file registers one. */
export const COMMANDS: readonly { register: (program: Command, host: CommandHost) => void }[] = [init, importCommand, plan, apply, destroy, reconcileCommand, status, template, types, validate, list, completion];

/** The program, its commands registered; `setResult` receives the outcome of the command that runs. */
export function buildProgram(io: CliIo, setResult: (p: Promise<number>) => void, argv: readonly string[] = [], masker: RunMasker = createRunMasker(), deps: CommandDeps = {}): Command {
  const program = programWithGlobalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .hook('preAction', (_program, action) => io.onCommand?.(action.name()));
  // Before any command runs: --report only where a report is written, and to a file that can be.
  program.hook('preAction', async (_program, action) => {
    const report = await checkReportOption(action.name(), program.opts<GlobalOptions>().report, io.cwd ?? process.cwd());
    if (report) program.setOptionValue('report', report);
  });
  const host: CommandHost = {
    io,
    options: () => program.opts<GlobalOptions>(),
    setResult,
    context: () => new CommandContext(io, program.opts<GlobalOptions>(), argv, masker, deps),
    nested: (nestedArgv, nestedIo, nestedMasker) => runCommandLine(nestedArgv, nestedIo, deps, nestedMasker),
    deps,
  };
  for (const command of COMMANDS) command.register(program, host);
  return program;
}

/** `main`, with what the commands may be given instead of the real world (tests: fakes). */
export async function runCommandLine(argv: readonly string[], given: CliIo, deps: CommandDeps = {}, masker: RunMasker = createRunMasker()): Promise<number> {
  const io: CliIo = { ...given, stdout: (text) => given.stdout(masker.mask(text)), stderr: (text) => given.stderr(masker.mask(text)) };
  let result: Promise<number> | undefined;
  const program = buildProgram(io, (p) => (result = p), argv, masker, deps);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    if (!result) {
      io.stderr(program.helpInformation());
      return EXIT.badInput;
    }
    return await result;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : (await import('./plan-exit.js')).usageErrorCode(argv);
    }
    const interrupted = io.signal?.aborted ?? false;
    io.stderr(`helmcycle: ${error instanceof Error ? error.message : String(error)}\n`);
    if (isHelmcycleError(error) && error.hint) io.stderr(`  hint: ${error.hint}\n`);
    return exitCodeForError(error, interrupted);
  }
}

/**
 * Runs one command. Everything it writes, on every path (output, --debug lines, a chart's failure, an
 * error of any command, a transform's exception), goes through the run's masker: once a stack is
 * loaded, no line can show one of its secrets (or a target's), whoever wrote the line.
 */
export function main(argv: readonly string[], given: CliIo): Promise<number> {
  return runCommandLine(argv, given);
}
