/**
 * The command lines that only start the hub — `voicehub`, `voicehub start`, with or without `-c FILE` /
 * `--config FILE` / `--config=FILE` before or after `start` — recognised without commander, whose 57 KB
 * cost a Pi some 30–60 ms of compile and evaluation on every start-up (systemd restarts included).
 * Anything else (another command, --help, a typo, an option `start` does not take) returns null and goes
 * to commander (cliProgram.ts), which says what is wrong exactly as before.
 */
export function startCommandLine(args: readonly string[]): { configPath?: string } | null {
  let configPath: string | undefined;
  let sawStart = false;
  let sawConfig = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === 'start' && !sawStart) {
      sawStart = true;
    } else if ((arg === '-c' || arg === '--config') && !sawConfig) {
      const value = args[i + 1];
      // A missing value or one that looks like an option: commander's message, not a guess here.
      if (value === undefined || value === '' || value.startsWith('-')) return null;
      configPath = value;
      sawConfig = true;
      i++;
    } else if (arg.startsWith('--config=') && !sawConfig && arg.length > '--config='.length) {
      configPath = arg.slice('--config='.length);
      sawConfig = true;
    } else {
      return null;
    }
  }
  return configPath === undefined ? {} : { configPath };
}
