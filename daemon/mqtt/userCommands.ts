import { withConfig, processIo, type Io } from '../cliCommands.js';
import { addMqttUser } from './users.js';

/** `voicehub mqtt-user add NAME --password-stdin [--allow PATTERN]…` */
export async function mqttUserAdd(options: { configPath?: string; name: string; allow: string[]; passwordStdin: boolean; stdin?: NodeJS.ReadableStream }, io: Io = processIo): Promise<number> {
  if (!options.passwordStdin) {
    io.err('voicehub: give the password on standard input with --password-stdin (never on the command line, where other users can see it)');
    return 2;
  }
  return withConfig(options.configPath, io, async (config) => {
    const password = await readAll(options.stdin ?? process.stdin);
    if (password.length === 0) {
      io.err('voicehub: the password read from stdin is empty');
      return 2;
    }
    const { created } = await addMqttUser(config.dataDir, options.name, password, options.allow);
    io.out(`${created ? 'added' : 'updated'} mqtt user ${options.name}${options.allow.length ? ` (allow: ${options.allow.join(', ')})` : ' (no --allow: may connect but not publish or subscribe)'}`);
    return 0;
  });
}

/** The whole of stdin, minus one trailing newline (what `echo secret |` adds). */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.replace(/\r?\n$/, '');
}
