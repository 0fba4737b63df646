/**
 * The anchor of the ingest figures: aedes as npm ships it (its defaults, its in-memory store, the real `debug`
 * its packet parser and writer call; no auth, no guards) on a plain `net` server, nothing else. Run as its own
 * process by startBareAedesProcess (test/bench/daemonTarget.ts) with the node flags the hub runs under; prints
 * `{"port":N}` and serves until SIGTERM.
 */
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';

if (process.argv[1] === fileURLToPath(import.meta.url) && !process.env.NODE_TEST_CONTEXT) {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
  process.once('SIGTERM', () => broker.close(() => server.close(() => process.exit(0))));
}
