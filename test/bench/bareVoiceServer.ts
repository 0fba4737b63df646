/**
 * The bare server the voice figures measured from outside are set against: a `ws` server that parses each
 * frame and answers a reply, nothing else (no auth, validation, queue, intents or MQTT). Run as its own
 * process by daemonTarget.startBareVoiceProcess; prints `{"port":N}` and serves until SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

if (process.argv[1] === fileURLToPath(import.meta.url) && !process.env.NODE_TEST_CONTEXT) {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { id: string };
      ws.send(JSON.stringify({ type: 'reply', id: frame.id, text: 'Turned on the kitchen light.' }));
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
  process.once('SIGTERM', () => {
    for (const ws of wss.clients) ws.terminate();
    server.close(() => process.exit(0));
  });
}
