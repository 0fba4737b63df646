#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';

/**
 * `voicehub <command>` (PROTOCOL §1). Each command imports what it needs when it runs, so `token create`
 * never loads the broker and `start` stays fast.
 */
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('voicehub')
  .description('voicehub: a local-first smart-home and voice hub')
  .version(pkg.version, '-v, --version')
  .option('-c, --config <file>', 'configuration file (default: ./voicehub.yaml or $VOICEHUB_CONFIG)')
  .showHelpAfterError();

const configPath = (): string | undefined => program.opts<{ config?: string }>().config;

program.command('start', { isDefault: true })
  .description('run the hub (the default command)')
  .action(async () => {
    const { runDaemon } = await import('./main.js');
    await runDaemon({ configPath: configPath() });
  });

program.command('doctor')
  .description('check config, ports, data dir and Node version; exit 1 on a problem')
  .action(async () => {
    const { runDoctor } = await import('./doctor.js');
    process.exitCode = await runDoctor({ configPath: configPath() });
  });

await program.parseAsync(process.argv);
