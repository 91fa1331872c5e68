/**
 * An in-process MQTT broker (aedes) for `npm start` and demos with nothing installed. aedes speaks
 * MQTT 3.1.1 only, without shared subscriptions: clients use protocolVersion 4 and workers plain
 * subscriptions (the fields MQTT 5 carries as properties are also in the payloads).
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import { DEFAULT_MAX_PACKET_BYTES } from '../../../wire/guarded-client.js';
import { guardStream } from '../../../wire/packet-guard.js';

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  /** What clients of this broker must use. */
  readonly protocolVersion: 4;
  readonly sharedSubscriptions: false;
  /** Clients disconnected for sending a packet over the limit. */
  readonly stats: { oversizeRefused: number };
  close(): Promise<void>;
}

/**
 * Starts the broker on `host:port` (port 0 picks a free one). A client sending a packet over
 * `maxPacketBytes` (default 4 MiB + 4 KiB, a data snippet's limit and room for its topic) is
 * disconnected as its fixed header arrives, before aedes buffers the packet.
 * @throws {Error} when the port cannot be bound (EADDRINUSE, EACCES)
 */
export async function startEmbeddedBroker(opts: { port?: number; host?: string; maxPacketBytes?: number } = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker();
  const stats = { oversizeRefused: 0 };
  const maxPacketBytes = opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES.ingest;
  const server = net.createServer((socket) => {
    broker.handle(guardStream(socket, { maxPacketBytes, protocolVersion: 4, oversizePublish: 'disconnect', onDrop: () => stats.oversizeRefused++ }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    protocolVersion: 4,
    sharedSubscriptions: false,
    stats,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
