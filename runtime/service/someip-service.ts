/**
 * How a domain's result is offered on SOME/IP, as the domain declares it: its service and event
 * ids, an optional method answering the latest result, and the payload fields taken from the keys
 * of its JSON form (`DomainDefinition.toJson`). The SOME/IP layer (runtime/someip/) builds the
 * interface from this; the config may override each id (`someip.services.NAME.*`).
 */

/** One payload field taken from a key of the domain's JSON form. */
export interface ResultField {
  /** The JSON key (and the payload field name). */
  readonly name: string;
  readonly type: 'uint8' | 'uint16' | 'float32' | 'float64' | 'boolean';
  /** Labels of a string value, sent as their index. */
  readonly labels?: readonly string[];
  /** What a JSON `null` is sent as (and decoded back to `null`). */
  readonly nullAs?: number;
}

/** The ids of one domain's service. */
export interface DomainServiceIds {
  readonly serviceId: number;
  readonly instanceId: number;
  readonly eventgroupId: number;
  readonly eventId: number;
  /** Id of the method answering the latest result; absent when the service has none. */
  readonly methodId?: number;
}

export interface DomainSomeipService extends DomainServiceIds {
  /** A method whose response is the domain's latest result event (the cockpit's `getDriverState`). */
  readonly method?: string;
  /** The domain-specific payload fields, in wire order after the common ones. */
  readonly fields: readonly ResultField[];
}

/** The `source` field every shipped domain ends its payload with. */
export const SOURCE_FIELD: ResultField = { name: 'source', type: 'uint8', labels: ['model', 'fallback'] };

/**
 * A service in the project's usual layout: instance 1, eventgroup 1 holding the event 0x8001 that
 * carries every result; `more` sets other ids or a method.
 */
export function resultService(serviceId: number, fields: readonly ResultField[], more: Partial<Omit<DomainSomeipService, 'serviceId' | 'fields'>> = {}): DomainSomeipService {
  return { serviceId, instanceId: 1, eventgroupId: 1, eventId: 0x8001, ...more, fields };
}
