/**
 * The CLI's entry point: `main(argv)` runs one command and returns the exit code. Every failure ends as ONE
 * line `error: …` on stderr: user errors (CliError, EngineError, file-system errors) with exit code 2, anything
 * else as `error: unexpected: …` with exit code 1. No stack traces.
 */
import { isEngineError } from '../engine/errors';
import { describeValue, ownValue } from '../engine/untrusted';
import { CliError, shownArgument } from './args';
import { embedCommand } from './embed';
import { evalCommand } from './evaluate';
import { COMMAND_HELP, PROGRAM, USAGE } from './help';
import { createProcessIo, fsError, OutputClosedError, type CliIo } from './io';
import { mineCommand } from './mine';
import { pushCommand } from './push';
import { trainCommand } from './train';

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = { embed: embedCommand, train: trainCommand, eval: evalCommand, mine: mineCommand, push: (argv, io) => pushCommand(argv, io) };

const EXIT_USER_ERROR = 2;
const EXIT_UNEXPECTED = 1;

/** Longest error line printed: a message that quotes a value whole (a 2 MB cell) is cut, and says so. */
const MAX_ERROR_LENGTH = 480;

function oneLine(message: string): string {
  const line = message.replace(/\s*\n\s*/g, ' ').trim();
  return line.length <= MAX_ERROR_LENGTH ? line : `${line.slice(0, MAX_ERROR_LENGTH - 30)}… (${line.length.toLocaleString('en-US')} characters)`;
}

/** Prints the error as one line and returns the exit code. A closed stdout (`… | head`) ends the command quietly. */
export function reportError(e: unknown, io: CliIo): number {
  if (e instanceof OutputClosedError) return 0;
  if (e instanceof CliError || isEngineError(e)) {
    io.err(`error: ${oneLine(e.message)}`);
    return EXIT_USER_ERROR;
  }
  const fs = fsError(e);
  if (fs !== null) {
    io.err(`error: ${oneLine(fs.message)}`);
    return EXIT_USER_ERROR;
  }
  io.err(`error: unexpected: ${oneLine(e instanceof Error ? e.message : describeValue(e))}`);
  return EXIT_UNEXPECTED;
}

function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

function unknownCommand(command: string, io: CliIo): number {
  io.err(`error: unknown command ${shownArgument(command)}; the commands are ${Object.keys(COMMANDS).join(', ')} (see '${PROGRAM} --help')`);
  io.err(USAGE);
  return EXIT_USER_ERROR;
}

export async function main(argv: string[], io: CliIo = createProcessIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.err(USAGE);
    return EXIT_USER_ERROR;
  }
  try {
    if (command === '--help' || command === '-h' || command === 'help') {
      if (rest[0] === undefined) {
        io.out(USAGE);
        return 0;
      }
      // Own keys only: `--help constructor` must not find Object's constructor (and print its source).
      const help = ownValue(COMMAND_HELP, rest[0]);
      if (help === undefined) return unknownCommand(rest[0], io);
      io.out(help);
      return 0;
    }
    const run = ownValue(COMMANDS, command);
    if (run === undefined) return unknownCommand(command, io);
    if (wantsHelp(rest)) {
      io.out(COMMAND_HELP[command]);
      return 0;
    }
    return await run(rest, io);
  } catch (e) {
    return reportError(e, io);
  }
}
