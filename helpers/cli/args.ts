// One way to read a CLI's arguments: node's util.parseArgs, with --help on every command and a
// usage message (exit 2) for anything it does not understand.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export function cliArgs<O extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: O, allowPositionals = false) {
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return parsed as unknown as { values: Record<keyof O, string | boolean | undefined>; positionals: string[] };
}
