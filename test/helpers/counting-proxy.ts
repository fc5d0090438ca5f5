// A TCP proxy on 127.0.0.1 that counts the bytes each way between a client and an upstream
// (moto): what a call really moved over the network, headers included. It does not parse HTTP.

import { createConnection, createServer, type Socket } from 'node:net';

export interface CountingProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Bytes sent by the client (requests) and by the upstream (responses) since the last reset. */
  readonly counts: { up: number; down: number };
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const counts = { up: 0, down: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const up = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        up.destroy();
      });
    }
    client.on('data', (b: Buffer) => {
      counts.up += b.length;
    });
    up.on('data', (b: Buffer) => {
      counts.down += b.length;
    });
    client.pipe(up);
    up.pipe(client);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    reset() {
      counts.up = 0;
      counts.down = 0;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
