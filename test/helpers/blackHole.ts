import { createServer, connect, type Server, type Socket } from 'node:net';

type TestContext = { after(fn: () => unknown): void };

interface Relayed { client: Socket; upstream: Socket | null; dropped: boolean }

/**
 * A TCP relay on a loopback port to a target port that the test can turn into a black hole: a network path
 * that keeps every TCP connection open and answers nothing (a cable pulled behind a router, a NAT that lost
 * its state). While black-holed, bytes from both sides of every open connection are read and dropped, new
 * connections are accepted and then get the same, and no side ever sees a close or a reset: only the peers'
 * own keep-alives can tell. `restore()` relays new connections again; the black-holed ones stay black holes
 * (their streams have lost bytes, as after a real outage), so a peer must notice and dial again.
 * (TcpGate, beside it, is the other shape: a path that closes or refuses.)
 */
export class BlackHoleRelay {
  private holed = false;
  private readonly live = new Set<Relayed>();
  /** Connections accepted while black-holed (a peer dialling again into the void). */
  acceptedInHole = 0;
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(t: TestContext, targetPort: number): Promise<BlackHoleRelay> {
    let relay: BlackHoleRelay | null = null;
    const server = createServer((socket) => relay!.accept(socket, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = new BlackHoleRelay(server, (server.address() as { port: number }).port);
    t.after(() => relay!.close());
    return relay;
  }

  /** From now on every byte either way is dropped, on open connections and new ones; nothing is closed. */
  blackHole(): void {
    this.holed = true;
    for (const r of this.live) r.dropped = true;
  }

  /** New connections are relayed again; those black-holed stay so. */
  restore(): void {
    this.holed = false;
  }

  private accept(client: Socket, targetPort: number): void {
    const r: Relayed = { client, upstream: null, dropped: this.holed };
    this.live.add(r);
    client.on('error', () => {});
    client.on('close', () => { this.live.delete(r); if (!r.dropped) r.upstream?.destroy(); });
    if (r.dropped) {
      this.acceptedInHole++;
      client.resume(); // read and drop
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    r.upstream = upstream;
    upstream.on('error', () => {});
    // A close of either side reaches the other only while the path works; in the hole it is lost too.
    upstream.on('close', () => { if (!r.dropped) client.destroy(); });
    client.on('data', (chunk: Buffer) => { if (!r.dropped) upstream.write(chunk); });
    upstream.on('data', (chunk: Buffer) => { if (!r.dropped) client.write(chunk); });
  }

  close(): Promise<void> {
    for (const r of this.live) { r.client.destroy(); r.upstream?.destroy(); }
    this.live.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
