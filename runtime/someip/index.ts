/** The runtime's SOME/IP side: domain services offered through SD, results as events, SOME/IP inputs. */
export * from './service-interfaces.js';
export * from './signal-source.js';
export * from './bridge.js';
export * from './observe.js';
