/** Reconnect delays live with the bus layer (which imports nothing of the runtime); the cloud link uses the same. */
export { Backoff, seededRandom, type BackoffOptions } from '../../../bus/transport/backoff.js';
