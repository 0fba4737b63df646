import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { closest } from './config/formatErrors.js';

/**
 * `voicehub <command>` (PROTOCOL §1) through commander: every command line but a plain `start` (cli.ts runs
 * that one without loading commander). Each command imports what it needs when it runs, so `token create`
 * never loads the broker.
 */
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** A wrong command line, like a wrong config, cannot be fixed by running again: systemd's RestartPreventExitStatus=2. */
const EXIT_USAGE = 2;

const program = new Command('voicehub')
  .description('voicehub: a local-first smart-home and voice hub')
  .version(pkg.version, '-v, --version')
  .option('-c, --config <file>', 'configuration file (default: ./voicehub.yaml or $VOICEHUB_CONFIG)')
  .showHelpAfterError()
  .showSuggestionAfterError()
  // Inherited by every command made below: a usage error exits 2 (help and --version still exit 0).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));

/**
 * `start` is the default command, so commander hands it any word it does not know (`voicehub device
 * list` became "too many arguments for 'start'"). A word before `start` runs is a mistyped command.
 */
program.hook('preSubcommand', (_program, command) => {
  const word = program.args[0];
  if (command.name() !== 'start' || word === undefined || word === 'start' || word.startsWith('-')) return;
  const known = program.commands.map((c) => c.name());
  const guess = closestCommand(word, known);
  program.error(`error: unknown command '${word}'.${guess ? ` Did you mean '${guess}'?` : ''}`, { code: 'commander.unknownCommand', exitCode: EXIT_USAGE });
});

/** The known command a mistyped word most likely meant: one it starts or ends, or the nearest by spelling. */
function closestCommand(word: string, known: string[]): string | undefined {
  const lower = word.toLowerCase();
  return known.find((k) => k.startsWith(lower) || (lower.startsWith(k) && k.length >= 3)) ?? closest(lower, known);
}

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

program.command('pair')
  .description('print a 6-digit code that signs the hub\'s page in (valid 5 minutes, once)')
  .option('--scope <scopes>', 'space-separated scopes for the page: voice devices:read devices:control admin', 'voice devices:read devices:control')
  .action(async (opts: { scope: string }) => {
    const { runPair } = await import('./page/pairCommand.js');
    process.exitCode = await runPair({ configPath: configPath(), scope: opts.scope }, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
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

const devices = program.command('devices').description('the devices the hub knows');
devices.command('set <id>')
  .description('set a device\'s name, area, floor and aliases on the running hub (kept in the data dir; voice uses them at once)')
  .option('--name <name>', 'the name to say and show')
  .option('--area <area>', 'the room it is in')
  .option('--floor <floor>', 'the floor it is on, a key or alias under floors: (else its area\'s floor)')
  .option('--no-floor', 'back on its area\'s floor')
  .option('--alias <alias>', 'another name it answers to; repeatable', collect, [])
  .option('--clear-alias', 'drop its aliases first (with --alias: replace them)')
  .option('--reset', 'back to the name, area and aliases the device announced')
  .option('--url <url>', 'the hub\'s HTTP address (default: http://127.0.0.1:<http.port>)')
  .action(async (id: string, opts: { name?: string; area?: string; floor?: string | false; alias: string[]; clearAlias?: boolean; reset?: boolean; url?: string }) => {
    const { devicesSet } = await import('./devicesSetCommand.js');
    process.exitCode = await devicesSet({ configPath: configPath(), id, ...opts });
  });
devices.command('list')
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

program.command('cloud').description('the cloud link')
  .command('status')
  .description('the link\'s state, the outbox (events waiting, last acked seq) and the last error')
  .option('--json', 'print JSON')
  .option('--hub <url>', 'the running hub\'s HTTP address (default: http.host and http.port of the config)')
  .action(async (opts: { json?: boolean; hub?: string }) => {
    const { cloudStatus } = await import('./cloud/cloudStatus.js');
    process.exitCode = await cloudStatus({ configPath: configPath(), json: opts.json, hub: opts.hub });
  });

export async function runCli(argv: string[]): Promise<void> {
  await program.parseAsync(argv);
}
