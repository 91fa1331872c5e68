/**
 * Offers services: answers requests (with the standard error return codes for unknown services,
 * unknown methods, wrong interface or protocol versions and malformed payloads), serves fields
 * through getter and setter, and sends events and field notifications to the eventgroup
 * subscribers that service discovery accepted.
 */
import { MessageType, ReturnCode, SOMEIP_PROTOCOL_VERSION } from './constants.js';
import { makeMessage, type SomeipMessage } from './header.js';
import type { SomeipValue } from './schema.js';
import type { SomeipSd } from './sd-host.js';
import { compileInterface, type CompiledInterface, type ServiceInterface } from './service.js';
import type { SomeipAddress, SomeipUdpEndpoint } from './udp-endpoint.js';
import { SomeipSerializeError } from './errors.js';

export type MethodHandler = (request: SomeipValue, from: SomeipAddress) => SomeipValue | Promise<SomeipValue>;

export interface OfferedService {
  readonly iface: CompiledInterface;
  readonly handlers: Readonly<Record<string, MethodHandler>>;
  readonly fields: Map<string, SomeipValue>;
  eventSession: number;
}

export interface SomeipServerOptions {
  readonly endpoint: SomeipUdpEndpoint;
  /** Service discovery; without it nothing is offered and nobody can subscribe. */
  readonly sd?: SomeipSd;
}

export class SomeipServer {
  readonly stats = { requests: 0, errors: 0, notifications: 0 };
  readonly #endpoint: SomeipUdpEndpoint;
  readonly #sd: SomeipSd | undefined;
  readonly #services = new Map<number, OfferedService>();
  readonly #off: () => void;

  constructor(opts: SomeipServerOptions) {
    this.#endpoint = opts.endpoint;
    this.#sd = opts.sd;
    this.#off = this.#endpoint.onMessage((m, from) => void this.#onMessage(m, from));
  }

  /**
   * Offers a service: registers handlers and initial field values, and starts SD offers.
   * @throws {SomeipSerializeError} on an invalid schema, a missing handler or an invalid field value.
   */
  offer(spec: ServiceInterface, handlers: Readonly<Record<string, MethodHandler>> = {}, fields: Readonly<Record<string, SomeipValue>> = {}): void {
    const iface = compileInterface(spec);
    for (const m of iface.methods.values()) {
      if (m.kind === 'method' && !handlers[m.name]) throw new SomeipSerializeError(`service 0x${spec.serviceId.toString(16)}.${m.name}`, 'no handler for this method');
    }
    const values = new Map<string, SomeipValue>();
    for (const [name, codec] of iface.fields) {
      const v = fields[name];
      if (v === undefined) throw new SomeipSerializeError(`service 0x${spec.serviceId.toString(16)}.${name}`, 'no initial value for this field');
      codec.encode(v); // fail now, not at the first getter call
      values.set(name, v);
    }
    this.#services.set(spec.serviceId, { iface, handlers, fields: values, eventSession: 0 });
    const local = this.#endpoint.local;
    this.#sd?.offer({
      serviceId: spec.serviceId,
      instanceId: spec.instanceId,
      majorVersion: spec.majorVersion,
      minorVersion: spec.minorVersion,
      endpoints: [{ type: 'ipv4-endpoint', address: local.address, protocol: 'udp', port: local.port }],
      eventgroups: iface.eventgroups,
    });
  }

  /** Stops offering (SD StopOffer) and stops answering for the service. */
  stopOffer(serviceId: number): void {
    const s = this.#services.get(serviceId);
    if (!s) return;
    this.#services.delete(serviceId);
    this.#sd?.stopOffer(serviceId, s.iface.spec.instanceId);
  }

  /**
   * Sends an event (or a field notification) to every subscriber of its eventgroups.
   * @returns how many subscribers it was sent to.
   * @throws {SomeipSerializeError} on an unknown service or event, or a value that does not fit.
   */
  async notify(serviceId: number, eventName: string, value: SomeipValue): Promise<number> {
    const s = this.#services.get(serviceId);
    const entry = s && [...s.iface.events.entries()].find(([, e]) => e.name === eventName);
    if (!s || !entry) throw new SomeipSerializeError(`service 0x${serviceId.toString(16)}.${eventName}`, 'unknown service or event');
    const [eventId, ev] = entry;
    const payload = ev.codec.encode(value);
    s.eventSession = (s.eventSession % 0xffff) + 1;
    const msg = makeMessage({ serviceId, methodId: eventId, sessionId: s.eventSession, interfaceVersion: s.iface.spec.majorVersion, messageType: MessageType.NOTIFICATION, payload });
    // A subscriber of several eventgroups of this event gets it once.
    const targets = new Map<string, SomeipAddress>();
    for (const g of ev.eventgroups) {
      for (const sub of this.#sd?.engine.subscribers(serviceId, s.iface.spec.instanceId, g) ?? []) {
        targets.set(`${sub.endpoint.address}:${sub.endpoint.port}`, sub.endpoint);
      }
    }
    await Promise.all([...targets.values()].map((t) => this.#endpoint.send(msg, t)));
    this.stats.notifications += targets.size;
    return targets.size;
  }

  /**
   * Sets a field and notifies its subscribers when it has a notifier.
   * @throws {SomeipSerializeError} on an unknown field or a value that does not fit.
   */
  async setField(serviceId: number, name: string, value: SomeipValue): Promise<void> {
    const s = this.#services.get(serviceId);
    if (!s?.fields.has(name)) throw new SomeipSerializeError(`service 0x${serviceId.toString(16)}.${name}`, 'unknown service or field');
    s.fields.set(name, value);
    if (s.iface.spec.fields?.[name]?.notifierId !== undefined) await this.notify(serviceId, name, value);
  }

  getField(serviceId: number, name: string): SomeipValue | undefined {
    return this.#services.get(serviceId)?.fields.get(name);
  }

  async #onMessage(m: SomeipMessage, from: SomeipAddress): Promise<void> {
    if (m.messageType !== MessageType.REQUEST && m.messageType !== MessageType.REQUEST_NO_RETURN) return;
    this.stats.requests++;
    const answer = m.messageType === MessageType.REQUEST;
    const reply = (returnCode: number, payload?: Uint8Array): Promise<void> => {
      if (!answer) return Promise.resolve();
      if (returnCode !== ReturnCode.E_OK) this.stats.errors++;
      const type = returnCode === ReturnCode.E_OK ? MessageType.RESPONSE : MessageType.ERROR;
      return this.#endpoint.send(makeMessage({ ...m, protocolVersion: SOMEIP_PROTOCOL_VERSION, messageType: type, returnCode, payload: payload ?? new Uint8Array(0) }), from).catch(() => undefined);
    };
    if (m.protocolVersion !== SOMEIP_PROTOCOL_VERSION) return reply(ReturnCode.E_WRONG_PROTOCOL_VERSION);
    const s = this.#services.get(m.serviceId);
    if (!s) return reply(ReturnCode.E_UNKNOWN_SERVICE);
    if (m.interfaceVersion !== s.iface.spec.majorVersion) return reply(ReturnCode.E_WRONG_INTERFACE_VERSION);
    const method = s.iface.methods.get(m.methodId);
    if (!method) return reply(ReturnCode.E_UNKNOWN_METHOD);
    let request: SomeipValue;
    try {
      request = method.request.decode(m.payload);
    } catch {
      return reply(ReturnCode.E_MALFORMED_MESSAGE);
    }
    try {
      if (method.kind === 'getter') return reply(ReturnCode.E_OK, method.response.encode(s.fields.get(method.name)));
      if (method.kind === 'setter') {
        await this.setField(m.serviceId, method.name, request);
        return reply(ReturnCode.E_OK, method.response.encode(request));
      }
      const result = await (s.handlers[method.name] as MethodHandler)(request, from);
      if (method.fireAndForget) return;
      return reply(ReturnCode.E_OK, method.response.encode(result));
    } catch {
      return reply(ReturnCode.E_NOT_OK);
    }
  }

  close(): void {
    this.#off();
    for (const id of [...this.#services.keys()]) this.stopOffer(id);
  }
}
