// `cachet completion bash|zsh|fish`: a shell completion script generated from the command table
// of args.ts (COMMANDS, GLOBAL_OPTIONS), the same table the parser and the help follow, so a new
// command or option completes without an edit here. It completes command names and option names
// (and the --on-conflict and completion values); positionals fall back to the shell's file names.
// It does not parse anything or touch the environment: text out only.

import type { Context } from './context.js';
import { EXIT_OK } from './context.js';
import { COMMANDS, GLOBAL_OPTIONS, ON_CONFLICT, SHELLS, type OptionSpec, type Shell } from './args.js';

interface Entry {
  readonly name: string;
  readonly options: readonly [string, OptionSpec][];
}

/** Every command with its own options and the global ones, in table order. */
function entries(): Entry[] {
  return Object.entries(COMMANDS).map(([name, spec]) => ({ name, options: Object.entries({ ...GLOBAL_OPTIONS, ...spec.options }) as [string, OptionSpec][] }));
}

/** The option words of an entry: `--long` and, where there is one, `-s`. */
function words(e: Entry): string[] {
  return e.options.flatMap(([long, o]) => (o.short ? [`--${long}`, `-${o.short}`] : [`--${long}`]));
}

/** Options that take a value: the word after one is not the command name. */
function valued(all: readonly Entry[]): string {
  return [...new Set(all.flatMap((e) => e.options.filter(([, o]) => o.type === 'string').map(([l]) => `--${l}`)))].join('|');
}

/** Values some options and positionals take, offered instead of file names. */
const VALUES: Readonly<Record<string, readonly string[]>> = { '--on-conflict': ON_CONFLICT, completion: SHELLS };

function bash(): string {
  const all = entries();
  const cases = all.map((e) => `    ${e.name}) opts="${words(e).join(' ')}" ;;`).join('\n');
  return `# cachet completion for bash: eval "$(cachet completion bash)" (e.g. in ~/.bashrc)
_cachet() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd="" opts="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      ${valued(all)}) ((i++)) ;;
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  case $prev in
    --on-conflict) COMPREPLY=($(compgen -W "${VALUES['--on-conflict']!.join(' ')}" -- "$cur")); return ;;
  esac
  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "${all.map((e) => e.name).join(' ')} ${words({ name: '', options: Object.entries(GLOBAL_OPTIONS) as [string, OptionSpec][] }).join(' ')}" -- "$cur"))
    return
  fi
  if [[ $cmd == completion ]]; then COMPREPLY=($(compgen -W "${SHELLS.join(' ')}" -- "$cur")); return; fi
  case $cmd in
${cases}
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); fi
}
complete -o default -o bashdefault -F _cachet cachet
`;
}

function zsh(): string {
  const all = entries();
  const cases = all.map((e) => `    ${e.name}) opts=(${words(e).join(' ')}) ;;`).join('\n');
  return `#compdef cachet
# cachet completion for zsh: cachet completion zsh > "\${fpath[1]}/_cachet" (or eval it after compinit)
_cachet() {
  local -a cmds opts
  cmds=(${all.map((e) => e.name).join(' ')})
  local cmd="" i
  for ((i = 2; i < CURRENT; i++)); do
    case \${words[i]} in
      ${valued(all)}) ((i++)) ;;
      -*) ;;
      *) cmd=\${words[i]}; break ;;
    esac
  done
  if [[ -z $cmd ]]; then compadd -a cmds; return; fi
  if [[ \${words[CURRENT-1]} == --on-conflict ]]; then compadd ${VALUES['--on-conflict']!.join(' ')}; return; fi
  if [[ $cmd == completion ]]; then compadd ${SHELLS.join(' ')}; return; fi
  case $cmd in
${cases}
  esac
  if [[ $PREFIX == -* ]]; then compadd -a opts; else _files; fi
}
compdef _cachet cachet
`;
}

function fish(): string {
  const lines = ['# cachet completion for fish: cachet completion fish > ~/.config/fish/completions/cachet.fish', 'complete -c cachet -f -n __fish_use_subcommand -a "' + entries().map((e) => e.name).join(' ') + '"'];
  for (const [long, o] of Object.entries(GLOBAL_OPTIONS) as [string, OptionSpec][]) {
    lines.push(`complete -c cachet -l ${long}${o.short ? ` -s ${o.short}` : ''}${o.type === 'string' ? ' -r' : ''}`);
  }
  for (const [name, spec] of Object.entries(COMMANDS)) {
    for (const [long, o] of Object.entries(spec.options) as [string, OptionSpec][]) {
      const values = VALUES[`--${long}`];
      lines.push(`complete -c cachet -n "__fish_seen_subcommand_from ${name}" -l ${long}${o.short ? ` -s ${o.short}` : ''}${o.type === 'string' ? ' -r' : ''}${values ? ` -f -a "${values.join(' ')}"` : ''}`);
    }
  }
  lines.push(`complete -c cachet -f -n "__fish_seen_subcommand_from completion" -a "${SHELLS.join(' ')}"`);
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? bash() : shell === 'zsh' ? zsh() : fish();
}

export async function completionCommand(ctx: Context, [shell]: string[]): Promise<number> {
  ctx.out(completionScript(shell as Shell)); // checked against SHELLS by args.ts
  return EXIT_OK;
}
