/**
 * The transport registry: one factory per kind, and `openBus(spec)` to open any of them.
 * Adding a backend means one file and one entry here; callers only ever see `Bus`.
 */
import type { Bus } from './bus.js';
import { SocketcanBus, type SocketcanOptions } from './socketcan.js';
import { SocketcandBus, type SocketcandOptions } from './socketcand.js';
import { UdpBus, type UdpOptions } from './udp.js';
import { defaultVirtualNetwork, type VirtualBusOptions, type VirtualNetwork } from './virtual.js';

export type BusSpec =
  | ({ readonly kind: 'virtual'; readonly channel: string; readonly network?: VirtualNetwork } & VirtualBusOptions)
  | ({ readonly kind: 'socketcan' } & SocketcanOptions)
  | ({ readonly kind: 'socketcand' } & SocketcandOptions)
  | ({ readonly kind: 'udp' } & UdpOptions);

export type BusKind = BusSpec['kind'];

export type TransportFactory<K extends BusKind> = (spec: Extract<BusSpec, { kind: K }>) => Promise<Bus>;

export const TRANSPORTS = {
  virtual: async (spec) => (spec.network ?? defaultVirtualNetwork).open(spec.channel, spec),
  socketcan: (spec) => SocketcanBus.open(spec),
  socketcand: (spec) => SocketcandBus.open(spec),
  udp: (spec) => UdpBus.open(spec),
} as const satisfies { [K in BusKind]: TransportFactory<K> };

/**
 * Opens a bus of any kind.
 * @throws {BusInitError} when the medium cannot be opened (see each backend).
 * @throws {RangeError} on a bad queue limit or filter.
 */
export function openBus(spec: BusSpec): Promise<Bus> {
  const factory = TRANSPORTS[spec.kind] as TransportFactory<BusKind>;
  return factory(spec);
}

export type { Bus, BusStats, CommonBusOptions, DropPolicy, FrameFilter } from './bus.js';
export { VirtualNetwork, VirtualBus, defaultVirtualNetwork, type VirtualBusOptions } from './virtual.js';
export { SocketcandBus, type SocketcandOptions } from './socketcand.js';
export { serveSocketcand, type SocketcandServer, type SocketcandServerOptions } from './socketcand-server.js';
export { UdpBus, isMulticastAddress, PYTHON_CAN_UDP_GROUP_V4, PYTHON_CAN_UDP_PORT, type UdpOptions } from './udp.js';
export { SocketcanBus, socketcanSupport, type SocketcanOptions } from './socketcan.js';
