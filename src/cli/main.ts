/**
 * The CLI's entry point: `main(argv)` runs one command and returns the exit code. Every failure ends as ONE
 * line `error: …` on stderr: user errors (CliError, EngineError, file-system errors) with exit code 2, anything
 * else as `error: unexpected: …` with exit code 1. No stack traces.
 */
import { isEngineError } from '../engine/errors';
import { CliError } from './args';
import { embedCommand } from './embed';
import { evalCommand } from './evaluate';
import { COMMAND_HELP, PROGRAM, USAGE } from './help';
import { fsError, processIo, type CliIo } from './io';
import { trainCommand } from './train';

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = { embed: embedCommand, train: trainCommand, eval: evalCommand };

const EXIT_USER_ERROR = 2;
const EXIT_UNEXPECTED = 1;

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** Prints the error as one line and returns the exit code. */
export function reportError(e: unknown, io: CliIo): number {
  if (e instanceof CliError || isEngineError(e)) {
    io.err(`error: ${oneLine(e.message)}`);
    return EXIT_USER_ERROR;
  }
  const fs = fsError(e, 'read');
  if (fs !== null) {
    io.err(`error: ${fs.message}`);
    return EXIT_USER_ERROR;
  }
  io.err(`error: unexpected: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  return EXIT_UNEXPECTED;
}

function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.err(USAGE);
    return EXIT_USER_ERROR;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(rest[0] !== undefined && rest[0] in COMMANDS ? COMMAND_HELP[rest[0]] : USAGE);
    return 0;
  }
  const run = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) {
    io.err(`error: unknown command '${command}'; the commands are ${Object.keys(COMMANDS).join(', ')} (see '${PROGRAM} --help')`);
    io.err(USAGE);
    return EXIT_USER_ERROR;
  }
  if (wantsHelp(rest)) {
    io.out(COMMAND_HELP[command]);
    return 0;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    return reportError(e, io);
  }
}
