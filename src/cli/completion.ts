// `helmcycle completion bash|zsh|fish`: a completion script generated from the commander program itself,
// so a new command or option completes without anyone editing a script. The scripts are static (no
// helmcycle process starts on TAB): commands, their options, the choices of an option or argument
// (-o text|json, completion bash|zsh|fish), and file names for options and arguments that take a file.
import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export interface CompletionOption {
  short: string | undefined;
  long: string | undefined;
  description: string;
  /** none: a flag; file: a file name; choice: one of `choices`; free: any text. */
  value: 'none' | 'file' | 'choice' | 'free';
  choices: string[];
}

export interface CompletionCommand {
  name: string;
  description: string;
  options: CompletionOption[];
  /** What the command's positional arguments take. */
  argument: { value: 'none' | 'file' | 'choice' | 'free'; choices: string[] };
}

export interface CompletionModel {
  program: string;
  globalOptions: CompletionOption[];
  commands: CompletionCommand[];
}

/** Value names that mean a file (`--config <file>`, `--helm <path>`, `[plan-file]`). */
const FILE_VALUE = /file|path/i;

function optionOf(option: Option): CompletionOption {
  const takesValue = option.required || option.optional;
  const choices = option.argChoices ?? [];
  const value = !takesValue ? 'none' : choices.length ? 'choice' : FILE_VALUE.test(option.flags.replace(/^[^<[]*/, '')) ? 'file' : 'free';
  return { short: option.short, long: option.long, description: firstLine(option.description), value, choices };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** What a shell needs to know of the program, read from commander's own help model. */
export function completionModel(program: Command): CompletionModel {
  const help = program.createHelp();
  return {
    program: program.name(),
    globalOptions: help.visibleOptions(program).map(optionOf),
    commands: help
      .visibleCommands(program)
      .filter((c) => c.name() !== 'help')
      .map((command) => {
        const first = command.registeredArguments[0];
        const choices = first?.argChoices ?? [];
        const argument = !first ? { value: 'none' as const, choices } : choices.length ? { value: 'choice' as const, choices } : { value: FILE_VALUE.test(first.name()) ? ('file' as const) : ('free' as const), choices };
        return { name: command.name(), description: firstLine(command.description()), options: help.visibleOptions(command).map(optionOf), argument };
      }),
  };
}

const names = (o: CompletionOption) => [o.short, o.long].filter((n): n is string => !!n);
/** A word for a shell's single quotes. */
const single = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const fishSingle = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** Text inside a zsh _arguments [description] or a _describe item. */
const zshText = (text: string) => text.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1');

export function bashCompletion(model: CompletionModel): string {
  const fn = `_${model.program.replace(/\W/g, '_')}`;
  const withValue = [...model.globalOptions, ...model.commands.flatMap((c) => c.options)].filter((o) => o.value !== 'none');
  const valueCases = (options: CompletionOption[]) => {
    const lines: string[] = [];
    const byKind = (kind: CompletionOption['value']) => [...new Set(options.filter((o) => o.value === kind).flatMap(names))];
    if (byKind('file').length) lines.push(`    ${byKind('file').join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`);
    for (const o of options.filter((x) => x.value === 'choice')) lines.push(`    ${names(o).join('|')}) COMPREPLY=($(compgen -W ${single(o.choices.join(' '))} -- "$cur")); return ;;`);
    if (byKind('free').length) lines.push(`    ${byKind('free').join('|')}) return ;;`);
    return lines.join('\n');
  };
  const globalWords = model.globalOptions.flatMap(names).join(' ');
  const commandCases = model.commands
    .map((c) => {
      const words = single([...new Set([...c.options.flatMap(names), ...model.globalOptions.flatMap(names)])].join(' '));
      const positional =
        c.argument.value === 'file' ? `COMPREPLY=($(compgen -f -- "$cur"))` : c.argument.value === 'choice' ? `COMPREPLY=($(compgen -W ${single(c.argument.choices.join(' '))} -- "$cur"))` : 'COMPREPLY=()';
      return `    ${c.name}) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W ${words} -- "$cur")); else ${positional}; fi ;;`;
    })
    .join('\n');
  return `# ${model.program} completion for bash. Load it with: source <(${model.program} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" command="" i
  # The command is the first word that is neither an option nor an option's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${[...new Set(withValue.flatMap(names))].join('|')}) ((i++)) ;;
      -*) ;;
      *) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
${valueCases(withValue)}
  esac
  case "$command" in
    "") COMPREPLY=($(compgen -W ${single([...model.commands.map((c) => c.name), ...(globalWords ? [globalWords] : [])].join(' '))} -- "$cur")) ;;
${commandCases}
  esac
}
complete -o filenames -F ${fn} ${model.program}
`;
}

function zshSpec(o: CompletionOption): string {
  const exclusive = names(o).length > 1 ? `(${names(o).join(' ')})` : '';
  const action = o.value === 'file' ? ':file:_files' : o.value === 'choice' ? `:value:(${o.choices.join(' ')})` : o.value === 'free' ? ':value: ' : '';
  const spec = (name: string) => single(`${exclusive}${name}[${zshText(o.description)}]${action}`);
  return names(o).map(spec).join(' ');
}

export function zshCompletion(model: CompletionModel): string {
  const fn = `_${model.program.replace(/\W/g, '_')}`;
  const globals = model.globalOptions.map(zshSpec).join(' \\\n    ');
  const commands = model.commands.map((c) => single(`${zshText(c.name)}:${c.description.replace(/\\/g, '\\\\')}`)).join(' \\\n    ');
  const cases = model.commands
    .map((c) => {
      const positional = c.argument.value === 'file' ? ` '1:file:_files'` : c.argument.value === 'choice' ? ` ${single(`1:value:(${c.argument.choices.join(' ')})`)}` : '';
      const specs = c.options.map(zshSpec).join(' ');
      return `        ${c.name}) _arguments -s "\${globals[@]}"${specs ? ` ${specs}` : ''}${positional} ;;`;
    })
    .join('\n');
  return `#compdef ${model.program}
# ${model.program} completion for zsh. Load it with: source <(${model.program} completion zsh)
# (after compinit), or save it as _${model.program} in a folder of $fpath.
${fn}() {
  local -a globals commands
  globals=(
    ${globals}
  )
  commands=(
    ${commands}
  )
  local curcontext="$curcontext" state line
  _arguments -s -C "\${globals[@]}" '1: :->command' '*:: :->args'
  case $state in
    command) _describe -t commands command commands ;;
    args)
      case $line[1] in
${cases}
      esac
      ;;
  esac
}
if [[ "\${funcstack[1]}" == "${fn}" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${model.program}
fi
`;
}

function fishOption(program: string, o: CompletionOption, condition: string | undefined): string {
  const parts = [`complete -c ${program}`];
  if (condition) parts.push(`-n ${fishSingle(condition)}`);
  if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
  if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
  if (o.value === 'file') parts.push('-r -F');
  if (o.value === 'choice') parts.push(`-x -a ${fishSingle(o.choices.join(' '))}`);
  if (o.value === 'free') parts.push('-x');
  parts.push(`-d ${fishSingle(o.description)}`);
  return parts.join(' ');
}

export function fishCompletion(model: CompletionModel): string {
  const p = model.program;
  const all = model.commands.map((c) => c.name).join(' ');
  const lines = [`# ${p} completion for fish. Load it with: ${p} completion fish | source`, `complete -c ${p} -f`];
  for (const o of model.globalOptions) lines.push(fishOption(p, o, undefined));
  for (const c of model.commands) {
    lines.push(`complete -c ${p} -n ${fishSingle(`not __fish_seen_subcommand_from ${all}`)} -a ${c.name} -d ${fishSingle(c.description)}`);
    const seen = `__fish_seen_subcommand_from ${c.name}`;
    for (const o of c.options) lines.push(fishOption(p, o, seen));
    if (c.argument.value === 'file') lines.push(`complete -c ${p} -n ${fishSingle(seen)} -F`);
    if (c.argument.value === 'choice') lines.push(`complete -c ${p} -n ${fishSingle(seen)} -x -a ${fishSingle(c.argument.choices.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(program: Command, shell: Shell): string {
  const model = completionModel(program);
  return shell === 'bash' ? bashCompletion(model) : shell === 'zsh' ? zshCompletion(model) : fishCompletion(model);
}
