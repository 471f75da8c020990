import { KESTREL_VERSION } from '../../shared/version.js';
import { commandIndex } from './commands.js';
import { CliUsageError } from './command.js';

function help(): string {
  const width = Math.max(...Object.keys(commandIndex).map((n) => n.length));
  const lines = Object.entries(commandIndex).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Kestrel ${KESTREL_VERSION} — trading workstation\n\nUsage: kestrel <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "kestrel <command> --help" for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${KESTREL_VERSION}\n`);
    return 0;
  }
  const entry = commandIndex[name];
  if (!entry) {
    process.stderr.write(`kestrel: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    // parseArgs errors (unknown flag, missing value) are usage errors too.
    const code = (err as { code?: string }).code ?? '';
    if (err instanceof CliUsageError || code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`kestrel ${name}: ${(err as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`kestrel ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}
