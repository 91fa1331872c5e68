/**
 * Consumes services: request/response with timeouts, fire-and-forget, field get/set, and event
 * subscriptions through service discovery. Notifications for an eventgroup are delivered only
 * once SD has received the SubscribeEventgroupAck for it.
 */
import { MessageType, ReturnCode, returnCodeName } from './constants.js';
import { SomeipRemoteError, SomeipSerializeError, SomeipTimeoutError } from './errors.js';
import { makeMessage, type SomeipMessage } from './header.js';
import type { SomeipValue } from './schema.js';
import type { PayloadCodec } from './serializer.js';
import { BusClosedError } from '../errors.js';
import type { SomeipSd } from './sd-host.js';
import { compileInterface, type CompiledInterface, type ServiceInterface } from './service.js';
import type { SomeipAddress, SomeipUdpEndpoint } from './udp-endpoint.js';

export interface SomeipClientOptions {
  readonly endpoint: SomeipUdpEndpoint;
  readonly sd?: SomeipSd;
  /** Client ID in the request ID of every request (default 0x0001). */
  readonly clientId?: number;
  /** Default request timeout in milliseconds (default 1000). */
  readonly timeoutMs?: number;
  /** Most requests waiting for an answer at once (default 1024). */
  readonly maxPending?: number;
}

export interface RequestOptions {
  readonly timeoutMs?: number;
  /** Where the service is; default: the UDP endpoint SD learnt from the offer. */
  readonly at?: SomeipAddress;
}

export type EventHandler = (eventName: string, value: SomeipValue, raw: SomeipMessage) => void;

interface Pending {
  readonly resolve: (m: SomeipMessage) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class SomeipClient {
  readonly stats = { requests: 0, timeouts: 0, notificationsDropped: 0, notifications: 0 };
  readonly #endpoint: SomeipUdpEndpoint;
  readonly #sd: SomeipSd | undefined;
  readonly #clientId: number;
  readonly #timeoutMs: number;
  readonly #maxPending: number;
  readonly #pending = new Map<string, Pending>();
  readonly #subs = new Map<number, { iface: CompiledInterface; groups: Set<number>; handler: EventHandler }>();
  #session = 0;
  readonly #off: () => void;

  constructor(opts: SomeipClientOptions) {
    this.#endpoint = opts.endpoint;
    this.#sd = opts.sd;
    this.#clientId = opts.clientId ?? 1;
    this.#timeoutMs = opts.timeoutMs ?? 1000;
    this.#maxPending = opts.maxPending ?? 1024;
    this.#off = this.#endpoint.onMessage((m) => this.#onMessage(m));
  }

  #onMessage(m: SomeipMessage): void {
    if (m.messageType === MessageType.RESPONSE || m.messageType === MessageType.ERROR) {
      const key = `${m.serviceId}.${m.methodId}.${m.clientId}.${m.sessionId}`;
      const p = this.#pending.get(key);
      if (!p) return; // late or foreign answer
      this.#pending.delete(key);
      clearTimeout(p.timer);
      p.resolve(m);
      return;
    }
    if (m.messageType !== MessageType.NOTIFICATION) return;
    const sub = this.#subs.get(m.serviceId);
    const ev = sub?.iface.events.get(m.methodId);
    const { instanceId } = sub?.iface.spec ?? { instanceId: 0 };
    // Only eventgroups that SD saw acknowledged count; anything else is unsolicited.
    const acked = ev?.eventgroups.some((g) => sub?.groups.has(g) && this.#sd?.engine.subscriptionState(m.serviceId, instanceId, g) === 'acked');
    if (!sub || !ev || !acked) {
      this.stats.notificationsDropped++;
      return;
    }
    let value: SomeipValue;
    try {
      value = ev.codec.decode(m.payload);
    } catch {
      this.stats.notificationsDropped++;
      return;
    }
    this.stats.notifications++;
    sub.handler(ev.name, value, m);
  }

  #resolveTarget(serviceId: number, instanceId: number, at: SomeipAddress | undefined): SomeipAddress {
    if (at) return at;
    const remote = this.#sd?.engine.remoteServices().find((r) => r.serviceId === serviceId && r.instanceId === instanceId);
    const ep = remote?.endpoints.find((e) => e.protocol === 'udp');
    if (!ep) throw new SomeipTimeoutError(`service 0x${serviceId.toString(16)}.${instanceId} is not offered (no UDP endpoint known)`, 0);
    return ep;
  }

  /**
   * Sends a raw REQUEST and waits for its RESPONSE or ERROR (returned, not thrown).
   * @throws {SomeipTimeoutError} when no answer arrives within the timeout.
   */
  async request(m: { serviceId: number; methodId: number; interfaceVersion: number; payload?: Uint8Array }, to: SomeipAddress, timeoutMs = this.#timeoutMs): Promise<SomeipMessage> {
    if (this.#pending.size >= this.#maxPending) throw new SomeipTimeoutError(`request 0x${m.serviceId.toString(16)}.0x${m.methodId.toString(16)}: ${this.#maxPending} requests already pending`, 0);
    this.#session = (this.#session % 0xffff) + 1;
    const msg = makeMessage({ ...m, clientId: this.#clientId, sessionId: this.#session, messageType: MessageType.REQUEST });
    const key = `${msg.serviceId}.${msg.methodId}.${msg.clientId}.${msg.sessionId}`;
    this.stats.requests++;
    const answer = new Promise<SomeipMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        this.stats.timeouts++;
        reject(new SomeipTimeoutError(`request 0x${m.serviceId.toString(16)}.0x${m.methodId.toString(16)} to ${to.address}:${to.port}`, timeoutMs));
      }, timeoutMs);
      this.#pending.set(key, { resolve, reject, timer });
    });
    await this.#endpoint.send(msg, to);
    return answer;
  }

  /**
   * Calls a method (or a field getter/setter by its method name) with typed values.
   * @throws {SomeipTimeoutError} on no answer or an unknown endpoint.
   * @throws {SomeipRemoteError} when the server answers with an error return code.
   * @throws {SomeipSerializeError} on an unknown method or a value that does not fit.
   * @throws {SomeipParseError} when the response does not fit the response schema.
   */
  async call(spec: ServiceInterface, method: string, value: SomeipValue = {}, opts: RequestOptions = {}): Promise<SomeipValue> {
    const iface = compileInterface(spec);
    const entry = [...iface.methods.entries()].find(([, m]) => m.name === method && m.kind === 'method');
    if (!entry) throw new SomeipSerializeError(`service 0x${spec.serviceId.toString(16)}.${method}`, 'unknown method');
    const [methodId, m] = entry;
    const to = this.#resolveTarget(spec.serviceId, spec.instanceId, opts.at);
    const payload = m.request.encode(value);
    if (m.fireAndForget) {
      await this.#endpoint.send(makeMessage({ serviceId: spec.serviceId, methodId, clientId: this.#clientId, interfaceVersion: spec.majorVersion, messageType: MessageType.REQUEST_NO_RETURN, payload }), to);
      return {};
    }
    return this.#answer(spec, method, await this.request({ serviceId: spec.serviceId, methodId, interfaceVersion: spec.majorVersion, payload }, to, opts.timeoutMs), m.response);
  }

  #answer(spec: ServiceInterface, what: string, r: SomeipMessage, codec: PayloadCodec): SomeipValue {
    if (r.messageType === MessageType.ERROR || r.returnCode !== ReturnCode.E_OK) {
      throw new SomeipRemoteError(`service 0x${spec.serviceId.toString(16)}.${what}`, r.returnCode, returnCodeName(r.returnCode));
    }
    return codec.decode(r.payload);
  }

  /**
   * Reads (no value) or writes a field through its getter or setter.
   * @throws as `call`.
   */
  async field(spec: ServiceInterface, name: string, value?: SomeipValue, opts: RequestOptions = {}): Promise<SomeipValue> {
    const f = spec.fields?.[name];
    const methodId = value === undefined ? f?.getterId : f?.setterId;
    const codec = compileInterface(spec).fields.get(name);
    if (methodId === undefined || !codec) throw new SomeipSerializeError(`service 0x${spec.serviceId.toString(16)}.${name}`, `field has no ${value === undefined ? 'getter' : 'setter'}`);
    const to = this.#resolveTarget(spec.serviceId, spec.instanceId, opts.at);
    const payload = value === undefined ? new Uint8Array(0) : codec.encode(value);
    return this.#answer(spec, name, await this.request({ serviceId: spec.serviceId, methodId, interfaceVersion: spec.majorVersion, payload }, to, opts.timeoutMs), codec);
  }

  /**
   * Subscribes to eventgroups of a service through SD; `handler` receives decoded events and
   * field notifications once each eventgroup is acknowledged.
   * @throws {SomeipSerializeError} without SD or on an invalid schema.
   */
  subscribe(spec: ServiceInterface, eventgroups: readonly number[], handler: EventHandler): void {
    if (!this.#sd) throw new SomeipSerializeError(`service 0x${spec.serviceId.toString(16)}`, 'subscribing needs service discovery');
    this.#subs.set(spec.serviceId, { iface: compileInterface(spec), groups: new Set(eventgroups), handler });
    const local = this.#endpoint.local;
    for (const g of eventgroups) this.#sd.subscribe(spec.serviceId, spec.instanceId, spec.majorVersion, g, { type: 'ipv4-endpoint', address: local.address, protocol: 'udp', port: local.port });
  }

  close(): void {
    this.#off();
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new BusClosedError('SOME/IP client'));
    }
    this.#pending.clear();
    for (const [serviceId, s] of this.#subs) for (const g of s.groups) this.#sd?.unsubscribe(serviceId, s.iface.spec.instanceId, g);
  }
}
