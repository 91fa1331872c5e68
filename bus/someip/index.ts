/**
 * SOME/IP and SOME/IP-SD: pure codecs (header, payload serializer, TP, SD), the SD state
 * machines, UDP and TCP endpoints, and a server/client pair for offering and consuming services.
 */
export * from './constants.js';
export * from './errors.js';
export * from './header.js';
export * from './schema.js';
export * from './serializer.js';
export * from './tp.js';
export * from './sd-codec.js';
export * from './sd-session.js';
export * from './sd-engine.js';
export * from './sd-host.js';
export * from './udp-endpoint.js';
export * from './tcp-endpoint.js';
export * from './service.js';
export * from './server.js';
export * from './client.js';
export * from './pcap-writer.js';
