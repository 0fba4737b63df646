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

const token = program.command('token').description('voice client tokens (JWT)');
token.command('create')
  .description('print a new token (and nothing else) on stdout')
  .requiredOption('--sub <id>', 'who the token is for, e.g. kitchen-satellite')
  .option('--scope <scopes>', 'space-separated: voice devices:read devices:control admin', 'voice')
  .option('--ttl <ttl>', 'lifetime, e.g. 30d, 12h, 15m', '30d')
  .option('--area <area>', 'the room the client is in, so "turn on the lights in here" means that room')
  .action(async (opts: { sub: string; scope: string; ttl: string; area?: string }) => {
    const { runTokenCreate } = await import('./auth/authCommands.js');
    process.exitCode = await runTokenCreate({ configPath: configPath(), sub: opts.sub, scope: opts.scope, ttl: opts.ttl, area: opts.area });
  });

program.command('keys').description('the hub\'s signing key')
  .command('rotate')
  .description('make a new signing key; every existing token is refused from then on')
  .action(async () => {
    const { runKeysRotate } = await import('./auth/authCommands.js');
    process.exitCode = await runKeysRotate({ configPath: configPath() });
  });

const collect = (value: string, previous: string[]) => [...previous, value];
program.command('mqtt-user').description('users of the embedded MQTT broker')
  .command('add <name>')
  .description('add or update a user; the password is read from stdin')
  .option('--password-stdin', 'read the password from standard input (the only way: never on the command line)')
  .option('--allow <pattern>', 'a topic pattern (MQTT wildcards) the user may publish and subscribe under; repeatable', collect, [])
  .action(async (name: string, opts: { passwordStdin?: boolean; allow: string[] }) => {
    const { mqttUserAdd } = await import('./mqtt/userCommands.js');
    process.exitCode = await mqttUserAdd({ configPath: configPath(), name, allow: opts.allow, passwordStdin: opts.passwordStdin === true });
  });

program.command('devices').description('the devices the hub knows')
  .command('list')
  .description('list devices with their area, type, availability and last state')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const { devicesList } = await import('./cliCommands.js');
    process.exitCode = await devicesList({ configPath: configPath(), json: opts.json });
  });

program.command('plugins').description('installed plugins')
  .command('list')
  .description('list plugins with their state (running, waiting-for-grant, disabled, failed) and why')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const { pluginsList } = await import('./cliCommands.js');
    process.exitCode = await pluginsList({ configPath: configPath(), json: opts.json });
  });

await program.parseAsync(process.argv);
