import { Command, CommanderError } from 'commander';
import { loadConfig } from '../common/config.js';
import { AlignboardError } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import { startServer } from '../server/index.js';
import { registerDataCommands } from './commands/data.js';
import { registerEngineCommands } from './commands/engine.js';
import { registerEvalCommands } from './commands/eval.js';
import { registerModelCommands } from './commands/model.js';
import { registerPapersCommands } from './commands/papers.js';
import { registerTrainCommands } from './commands/train.js';
import { registerVizCommands } from './commands/viz.js';
import { formatDoctor, runDoctor } from './doctor.js';

/** Builds the `alignboard` command tree. Each domain adds its commands with one line here. */
export function buildProgram(): Command {
  const program = new Command('alignboard')
    .description('The workbench of an LLM alignment team: models, data, training and evaluation.')
    .version(VERSION, '-v, --version')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError();

  program
    .command('serve')
    .description('serve the API and web app')
    .option('-p, --port <port>', 'port to listen on (env ALIGNBOARD_PORT)')
    .option('-H, --host <host>', 'interface to bind (env ALIGNBOARD_HOST)')
    .action(async (opts: { port?: string; host?: string }) => {
      const config = loadConfig({
        ...process.env,
        ...(opts.port !== undefined && { ALIGNBOARD_PORT: opts.port }),
        ...(opts.host !== undefined && { ALIGNBOARD_HOST: opts.host }),
      });
      await startServer(config);
    });

  program
    .command('doctor')
    .description('print what is installed and reachable')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const checks = await runDoctor(loadConfig());
      process.stdout.write(`${opts.json ? JSON.stringify(checks, null, 2) : formatDoctor(checks)}\n`);
      if (checks.some((c) => c.isRequired && !c.isOk)) process.exitCode = 1;
    });

  registerDataCommands(program);
  registerEngineCommands(program);
  registerEvalCommands(program);
  registerModelCommands(program);
  registerTrainCommands(program);
  registerPapersCommands(program);
  registerVizCommands(program);
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 a failed check, 2 bad input. Errors are
 * mapped here once: the located message, and the stack only with `--debug`.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const debug = argv.includes('--debug');
    if (err instanceof AlignboardError) {
      process.stderr.write(`error ${err.code}: ${err.message}\n`);
      if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
      return err.status >= 500 ? 1 : 2;
    }
    process.stderr.write(`${debug && err instanceof Error ? err.stack : String(err)}\n`);
    return 1;
  }
}
