import { createServer, connect, type Server, type Socket } from 'node:net';

type TestContext = { after(fn: () => unknown): void };

/**
 * A TCP relay on a loopback port to a target port, that the test can close like a cable pulled: while closed,
 * new connections are cut at once. When either side of a relayed connection goes, so does the other. The
 * outage test puts the hub behind one so that a device reconnects to a restarted broker before the hub does,
 * whatever the hub's backoff, without which "delivered once after the reconnect" would race the device.
 */
export class TcpGate {
  open = true;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(t: TestContext, targetPort: number): Promise<TcpGate> {
    let gate: TcpGate | null = null;
    const server = createServer((socket) => gate!.relay(socket, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gate = new TcpGate(server, (server.address() as { port: number }).port);
    t.after(() => gate!.close());
    return gate;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  private relay(socket: Socket, targetPort: number): void {
    if (!this.open) {
      socket.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [a, b] of [[socket, upstream], [upstream, socket]] as const) {
      this.sockets.add(a);
      a.on('error', () => {});
      a.on('close', () => {
        this.sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
