/**
 * The argument list of one engine version, recorded from its source by `fixtures/extract-flags.py`,
 * and the check that a generated command only uses what that version accepts.
 */

/** `switch`: a bare flag; `value`: one value; `list`: one or more values (argparse `nargs`, a Hydra list). */
export type OptionKind = 'switch' | 'value' | 'list';

export interface EntryPointFixture {
  /** The words that start the command, e.g. `["trl", "sft"]` or `["python3", "-m", "verl.trainer.main_ppo"]`. */
  launch: string[];
  /** Options every generated command of this entry point must carry. */
  required: string[];
  /** `--flag` names (argparse, HfArgumentParser) or dotted Hydra keys, with their kind. */
  options: Record<string, OptionKind>;
  /** Declared choices, where the source lists them. */
  choices: Record<string, (string | number)[]>;
}

export interface EngineFixture {
  engine: string;
  version: string;
  source: { repository: string; ref: string; commit: string; files: string[]; also?: string };
  entryPoints: Record<string, EntryPointFixture>;
}

/** How the options of an entry point are written on the command line. */
export type OptionSyntax = 'flags' | 'hydra';

/**
 * Every problem with `args` (the words after the launch words) for this entry point: an option it
 * does not have, a switch given a value, a value option without one, a value outside its
 * choices, a required option missing. Empty when the command fits.
 */
export function checkArgsAgainstFixture(
  args: readonly string[],
  entry: EntryPointFixture,
  syntax: OptionSyntax,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const values = new Map<string, string[]>();
  if (syntax === 'hydra') {
    for (const arg of args) {
      const eq = arg.indexOf('=');
      const key = eq > 0 ? arg.slice(0, eq) : '';
      if (!key) {
        problems.push(`"${arg}" is not a key=value override`);
        continue;
      }
      if (!(key in entry.options)) problems.push(`unknown override "${key}"`);
      if (seen.has(key)) problems.push(`override "${key}" given twice`);
      seen.add(key);
      values.set(key, [arg.slice(eq + 1)]);
    }
  } else {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] as string;
      if (!arg.startsWith('--')) {
        problems.push(`stray value "${arg}" at position ${i}`);
        continue;
      }
      const kind = entry.options[arg];
      if (kind === undefined) problems.push(`unknown flag "${arg}"`);
      if (seen.has(arg)) problems.push(`flag "${arg}" given twice`);
      seen.add(arg);
      const taken: string[] = [];
      while (i + 1 < args.length && !(args[i + 1] as string).startsWith('--')) {
        taken.push(args[i + 1] as string);
        i++;
      }
      values.set(arg, taken);
      if (kind === 'switch' && taken.length > 0) problems.push(`switch "${arg}" given a value`);
      if (kind === 'value' && taken.length !== 1) problems.push(`flag "${arg}" needs exactly one value`);
      if (kind === 'list' && taken.length === 0) problems.push(`flag "${arg}" needs at least one value`);
    }
  }
  for (const [key, given] of values) {
    const allowed = entry.choices[key];
    if (!allowed) continue;
    for (const v of given)
      if (!allowed.map(String).includes(v))
        problems.push(`"${key}" is "${v}", not one of ${allowed.join(', ')}`);
  }
  for (const key of entry.required) if (!seen.has(key)) problems.push(`required "${key}" is missing`);
  return problems;
}

/**
 * Splits argv into the entry point's launch words and its options; launcher words before them
 * (`torchrun --nproc_per_node 8`, `deepspeed --num_gpus 8`) are returned apart.
 */
export function splitLaunch(
  argv: readonly string[],
  entry: EntryPointFixture,
): { launcher: string[]; args: string[] } | undefined {
  const { launch } = entry;
  // The launch words may be split by launcher options (`deepspeed --num_gpus 8 --module openrlhf.cli.x`):
  // the last launch word (the module or subcommand) marks where the entry point's own options begin.
  const last = launch[launch.length - 1];
  const at = argv.indexOf(last as string, 1);
  if (at < 0 || argv[0] !== launch[0]) return undefined;
  return { launcher: argv.slice(0, at + 1), args: argv.slice(at + 1) };
}
