/**
 * mqtt.js clients whose incoming packets are bounded (packet-guard.ts): the limit is announced in
 * an MQTT 5 CONNECT (maximumPacketSize) and enforced on the socket whatever the version.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Duplex } from 'node:stream';
import { MAX_PAYLOAD_BYTES } from './messages.js';
import { guardStream, type DroppedPacket } from './packet-guard.js';

/** Room for the topic, properties and fixed header beside a payload, bytes. */
export const PACKET_OVERHEAD_BYTES = 4096;

/**
 * Default packet limits, from the largest payload each receiver decodes: a vehicle takes inference
 * answers (1 MiB), a worker requests (1 MiB), ingest data snippets (4 MiB).
 */
export const DEFAULT_MAX_PACKET_BYTES = {
  vehicle: MAX_PAYLOAD_BYTES.InferenceResponse + PACKET_OVERHEAD_BYTES,
  worker: MAX_PAYLOAD_BYTES.InferenceRequest + PACKET_OVERHEAD_BYTES,
  ingest: MAX_PAYLOAD_BYTES.DataSnippet + PACKET_OVERHEAD_BYTES,
} as const;

export interface PacketLimit {
  readonly maxPacketBytes: number;
  readonly onDrop?: (p: DroppedPacket) => void;
}

type StreamBuilder = (client: MqttClient) => Duplex;

/**
 * `mqtt.connect` with the limit; connects at once unless `options.manualConnect`.
 */
export function connectGuarded(url: string, options: IClientOptions, limit: PacketLimit): MqttClient {
  const v5 = (options.protocolVersion ?? 4) === 5;
  const client = mqtt.connect(url, {
    ...options,
    ...(v5 ? { properties: { ...options.properties, maximumPacketSize: limit.maxPacketBytes } } : {}),
    manualConnect: true,
  });
  // mqtt.js builds a new stream for every (re)connect through this function.
  const holder = client as unknown as { streamBuilder: StreamBuilder };
  const build = holder.streamBuilder;
  holder.streamBuilder = (c) =>
    guardStream(build(c), { maxPacketBytes: limit.maxPacketBytes, protocolVersion: c.options.protocolVersion === 5 ? 5 : 4, ...(limit.onDrop ? { onDrop: limit.onDrop } : {}) });
  if (options.manualConnect !== true) client.connect();
  return client;
}

/** `connectGuarded` that resolves once connected. @throws {Error} the first connection error */
export async function connectGuardedAsync(url: string, options: IClientOptions, limit: PacketLimit): Promise<MqttClient> {
  const client = connectGuarded(url, { ...options, manualConnect: true }, limit);
  const connected = new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      client.end(true);
      reject(err);
    };
    client.once('error', onError);
    client.once('connect', () => {
      client.off('error', onError);
      resolve();
    });
  });
  client.connect();
  await connected;
  return client;
}
