/**
 * The `decoders` command line: run, fit, evaluate and score. Exit status 0 on success, 2 on bad
 * usage (unknown option, missing column, unusable labels, empty file), 1 on any other failure;
 * every error is one line on stderr.
 */
import { AbortError, DecodersError, FormatError, ValidationError } from '@decoders/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../version.js';
import type { EvaluateFlags, FitFlags, RunFlags, ScoreFlags } from './commands.js';
import { UsageError } from './usage-error.js';

/** Commands load on use, so that help and usage errors answer without loading tfjs. */
const commands = () => import('./commands.js');

function fraction(name: string) {
  return (value: string): number => {
    const v = Number(value);
    if (!Number.isFinite(v) || v <= 0 || v >= 1) {
      throw new InvalidArgumentError(`${name} must be a number between 0 and 1, got '${value}'.`);
    }
    return v;
  };
}

function integer(name: string, min: number, max = Number.POSITIVE_INFINITY) {
  return (value: string): number => {
    const v = Number(value);
    if (!Number.isInteger(v) || v < min || v > max) {
      const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`${name} must be an integer ${range}, got '${value}'.`);
    }
    return v;
  };
}

/** `--threads`: the wasm pool size (8 is @decoders/nn's MAX_THREADS). */
const THREADS_FLAG = [
  '--threads <n>',
  'wasm backend threads, 1-8 (default: DECODERS_WASM_THREADS, else one per core)',
  integer('--threads', 1, 8),
] as const;

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function addTrainingOptions(command: Command): Command {
  return command
    .requiredOption('-t, --target <column>', 'label column (1 or not the normal value = attack)')
    .option(
      '--normal-value <value>',
      'label value meaning normal (default: 0/1, true/false or "normal")',
    )
    .option('--drop <columns>', 'comma-separated columns never used as features', list)
    .option('--seed <n>', 'seed of splits and models', integer('--seed', 0), 42)
    .option('--epochs <n>', 'maximum epochs of the VAE and the fusion', integer('--epochs', 1))
    .addOption(
      new Option(
        '--preset <name>',
        'model sizes: full (reference) or quick (small VAE, fewer epochs)',
      )
        .choices(['quick', 'full'])
        .default('full'),
    )
    .addOption(
      new Option('--detector-input <space>', 'features the detectors see')
        .choices(['latent', 'raw', 'both'])
        .default('both'),
    )
    .option(
      '--out-of-fold <k>',
      'train the fusion on k-fold out-of-fold detector scores (0 = off)',
      integer('--out-of-fold', 0),
    )
    .option('--no-reconstruction-token', 'leave the VAE reconstruction error out of the fusion')
    .option(
      '--no-leave-one-out',
      "score the fusion's training normals in-sample with LOF (each row its own neighbour)",
    )
    .option('--backend <name>', 'tfjs backend: wasm or cpu')
    .option(...THREADS_FLAG)
    .option('--json', 'print only JSON on stdout')
    .option('-q, --quiet', 'no progress on stderr');
}

/** Builds the `decoders` program; `signal` cancels long work on Ctrl-C. */
export function buildProgram(signal: AbortSignal): Command {
  const program = new Command('decoders')
    .description(
      'Detect attacks in tabular event data: fit, evaluate, save and score a detection pipeline.',
    )
    .version(VERSION)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`decoders: ${text.trim().replace(/^error: /, '')}\n`),
    });

  addTrainingOptions(
    program
      .command('run')
      .description(
        'split a labelled CSV into train/validation/test, fit, evaluate on test and write model, metrics and report',
      )
      .argument('<data>', 'labelled CSV file'),
  )
    .option('--test-size <f>', 'share of rows held out for test', fraction('--test-size'), 0.2)
    .option(
      '--val-size <f>',
      'share of the remaining rows used for validation',
      fraction('--val-size'),
      0.2,
    )
    .option(
      '--split-file <file>',
      'row,split CSV (train/val/test, 0-based data rows; .gz accepted)',
    )
    .option('--test-file <file>', 'evaluate on this CSV instead of a test split')
    .option('--time-column <column>', 'split by time: latest rows validate and test')
    .option('-o, --out <dir>', 'output directory', 'decoders-output')
    .option(
      '--attack-type-column <column>',
      'column of attack names: recall per type (never a feature)',
    )
    .option('--report', 'write report.html (default)', true)
    .option('--no-report', 'do not write report.html')
    .action(async (data: string, flags: RunFlags) =>
      (await commands()).runCommand(data, flags, signal),
    );

  addTrainingOptions(
    program
      .command('fit')
      .description('fit a pipeline on a labelled CSV (validation split off it) and save the model')
      .argument('<data>', 'labelled CSV file'),
  )
    .option('--val-size <f>', 'share of rows used for validation', fraction('--val-size'), 0.2)
    .option('--split-file <file>', 'row,split CSV choosing the train and val rows')
    .option('--time-column <column>', 'validate on the latest rows of this time column')
    .requiredOption('-o, --out <file>', 'model file to write, e.g. model.decoders')
    .action(async (data: string, flags: FitFlags) =>
      (await commands()).fitCommand(data, flags, signal),
    );

  program
    .command('evaluate')
    .description('measure a saved model on a labelled CSV: fusion and every detector alone')
    .argument('<model>', 'model file written by fit or run')
    .argument('<data>', 'labelled CSV file')
    .option('-t, --target <column>', 'label column (default: the one the model was fitted with)')
    .option('--attack-type-column <column>', 'column of attack names: recall per type')
    .option('-o, --out <dir>', 'write metrics.json and report.html here')
    .option(...THREADS_FLAG)
    .option('--json', 'print only JSON on stdout')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (model: string, data: string, flags: EvaluateFlags) =>
      (await commands()).evaluateCommand(model, data, flags),
    );

  program
    .command('score')
    .description(
      'stream a CSV through a saved model, appending anomaly_score, is_anomaly and each detector',
    )
    .argument('<model>', 'model file written by fit or run')
    .argument('<data>', 'CSV file (labels not needed)')
    .option('-o, --out <file>', 'scored CSV to write (default: stdout)')
    .option('--chunk-size <n>', 'rows per chunk (memory bound)', integer('--chunk-size', 1), 10000)
    .option(...THREADS_FLAG)
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (model: string, data: string, flags: ScoreFlags) =>
      (await commands()).scoreCommand(model, data, flags, signal),
    );

  for (const command of program.commands) {
    command.exitOverride().configureOutput({
      outputError: (text, write) =>
        write(`decoders ${command.name()}: ${text.trim().replace(/^error: /, '')}\n`),
    });
  }
  return program;
}

/** Exit status for an error thrown while running a command. */
export function exitCode(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UsageError) return 2;
  if (error instanceof FormatError) return 1;
  if (error instanceof ValidationError) return 2;
  return 1;
}

/** Runs the program on `argv` (as process.argv) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  const program = buildProgram(controller.signal);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    const code = exitCode(error);
    if (!(error instanceof CommanderError)) {
      const message =
        error instanceof DecodersError || error instanceof AbortError
          ? error.message
          : `${(error as Error)?.message ?? String(error)}`;
      process.stderr.write(`decoders: ${message.split('\n')[0]}\n`);
    }
    return code;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
