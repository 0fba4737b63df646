#!/usr/bin/env node
import { startCommandLine } from './cliStart.js';

/**
 * `voicehub <command>` (PROTOCOL §1). `start` — what systemd runs, and the default — goes straight to the
 * daemon; every other command line is parsed by commander in cliProgram.ts, loaded only then.
 */

/**
 * `voicehub doctor | head -1` closes the pipe while we still write: Node then emits EPIPE on stdout,
 * which without a listener is an uncaught exception with a stack trace. The reader has gone, so the
 * rest of the output has nowhere to go: drop it and let the command finish with its own exit code.
 */
function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    process.exitCode = 1; // any other output failure (EIO, ENOSPC): the output is incomplete, so not a success
  });
}
ignoreClosedPipe(process.stdout);
ignoreClosedPipe(process.stderr);

const start = startCommandLine(process.argv.slice(2));
if (start) {
  // The start script with its code cache (daemon/main/startScript.ts); tsc's unbundled output has none.
  const { runStartScript } = await import('./main/startScript.js');
  const running = runStartScript(start);
  if (running) {
    await running;
  } else {
    const { runDaemon } = await import('./main.js');
    await runDaemon(start);
  }
} else {
  const { runCli } = await import('./cliProgram.js');
  await runCli(process.argv);
}
