import type { MqttClient } from 'mqtt';

/** Small request/response packets must not wait for Nagle's algorithm (tens of ms with delayed ACKs). */
export function noDelay(client: MqttClient): void {
  const stream = client.stream as { setNoDelay?: (on: boolean) => unknown } | undefined;
  stream?.setNoDelay?.(true);
}
