/**
 * `ecu-ai someip`: list the services offered on the network (through SD), subscribe to an
 * eventgroup and print its events, call a method. ecu-ai's own services are decoded with their
 * interface descriptions; anything else is shown as raw hex.
 */
import { subcommandHelps } from './subcommand-help.js';
import { bytesToHex, hexToBytes } from '../bus/frame.js';
import { MessageType, ReturnCode, SomeipClient, SomeipRemoteError, SomeipTimeoutError, compileInterface, returnCodeName, type RemoteService, type SomeipMessage, type SomeipValue } from '../bus/someip/index.js';
import { loadConfigFile, parseConfig, type EcuAiConfig } from '../runtime/config.js';
import { RuntimeError } from '../runtime/errors.js';
import { DOMAIN_LIST } from '../domains/index.js';
import { domainServices, eventFields, hex4, payloadToJson, type DomainService } from '../runtime/someip/service-interfaces.js';
import { findService, listServices, openSdProbe, subscribeAndWait, type SdProbe } from '../runtime/someip/discovery.js';
import { intFlag, parseCliArgs } from './args.js';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, writeOut, type CliCommand, type CliIo } from './command.js';

const HELP = `Usage:
  ecu-ai someip list [--sd HOST:PORT] [--wait S] [--json]
  ecu-ai someip subscribe SERVICE EVENTGROUP [--count N] [--timeout S] [--sd HOST:PORT] [--wait S] [--instance N]
  ecu-ai someip call SERVICE METHOD [JSON] [--sd HOST:PORT] [--wait S] [--instance N]

list       asks SD for ecu-ai's services (and for any service) for --wait seconds (default 1)
           and prints every offer heard: service, instance, version, endpoint, domain.
subscribe  finds SERVICE, subscribes to EVENTGROUP and prints one JSON object per event:
           {"t":...,"service":"0x4a01","instance":1,"event":"0x8001","name":"result","session":1,"value":{...}}
           (ecu-ai services decoded by name; others as "data":"<hex>"). Stops after --count N
           events, after --timeout S seconds, or on Ctrl-C.
call       calls METHOD (a name such as getDriverState, or a method ID) and prints the decoded
           response as JSON. JSON is the request value for known methods; for a method ID of an
           unknown service it is a hex string (the raw request payload), and the answer is
           {"return_code":...,"data":"<hex>"}.

SERVICE    a domain name (adas, chassis, powertrain, cockpit, body) or a service ID (0x4a01 or decimal).
--sd       the SD endpoint to ask (default: the config's someip address and sd_port, 127.0.0.1:30490).
--wait     seconds to wait for the offer and the subscription Ack (subscribe, call: default 3).
--bind     local IPv4 address to use (default 127.0.0.1).
--config   a config file whose someip.services IDs override the defaults.
Exit codes: 0 ok, 1 not offered / no Ack / no answer / error answer, 2 bad usage.`;

const OPTIONS = {
  sd: { type: 'string' },
  wait: { type: 'string' },
  json: { type: 'boolean' },
  count: { type: 'string' },
  timeout: { type: 'string' },
  instance: { type: 'string' },
  bind: { type: 'string' },
  config: { type: 'string' },
} as const;

/** A runtime failure reported in one line: exit 1. */
class SomeipCliFailure extends Error {}

interface Context {
  readonly io: CliIo;
  readonly config: Readonly<EcuAiConfig>;
  readonly services: readonly DomainService[];
  readonly sd: { address: string; port: number };
  readonly waitS: number | undefined;
  readonly bind: string;
  readonly instance: number | undefined;
  readonly signal: AbortSignal;
}

function parseId(text: string, what: string, max = 0xffff): number {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${what} must be a number from 0 to 0x${max.toString(16)} (decimal or 0x-hex), not "${text}"`);
  return n;
}

function parseSeconds(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} takes a number of seconds, not "${text}"`);
  return n;
}

function parseSd(text: string): { address: string; port: number } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--sd takes an IPv4 HOST:PORT such as 127.0.0.1:30490, not "${text}"`);
  return { address: m[1] as string, port: Number(m[2]) };
}

function serviceOf(ctx: Context, text: string): { id: number; known: DomainService | undefined } {
  const byName = ctx.services.find((s) => s.domain === text);
  if (byName) return { id: byName.ids.serviceId, known: byName };
  if (/^[a-z]+$/i.test(text)) throw new UsageError(`unknown service "${text}": use a domain name (${ctx.services.map((s) => s.domain).join(', ')}) or a service ID`);
  const id = parseId(text, 'SERVICE');
  return { id, known: ctx.services.find((s) => s.ids.serviceId === id) };
}

async function withProbe<T>(ctx: Context, f: (probe: SdProbe) => Promise<T>): Promise<T> {
  const probe = await openSdProbe(ctx.sd, ctx.bind);
  try {
    return await f(probe);
  } finally {
    await probe.close();
  }
}

async function found(ctx: Context, probe: SdProbe, serviceId: number): Promise<RemoteService> {
  const waitS = ctx.waitS ?? 3;
  const r = await findService(probe.sd, serviceId, ctx.instance, waitS, ctx.signal);
  if (!r) throw new SomeipCliFailure(`service 0x${hex4(serviceId)} was not offered at ${ctx.sd.address}:${ctx.sd.port} within ${waitS} s`);
  return r;
}

async function list(ctx: Context, json: boolean): Promise<number> {
  const waitS = ctx.waitS ?? 1;
  const offers = await withProbe(ctx, (p) => listServices(p.sd, ctx.services.map((s) => s.ids.serviceId), waitS, ctx.signal));
  const rows = offers.map((r) => {
    const known = ctx.services.find((s) => s.ids.serviceId === r.serviceId && s.ids.instanceId === r.instanceId);
    return {
      service: `0x${hex4(r.serviceId)}`,
      instance: r.instanceId,
      major: r.majorVersion,
      minor: r.minorVersion,
      endpoints: r.endpoints.map((e) => ({ address: e.address, port: e.port, protocol: e.protocol })),
      domain: known?.domain ?? null,
      eventgroups: known ? [known.ids.eventgroupId] : null,
    };
  });
  if (json) await writeOut(ctx.io.stdout, `${JSON.stringify(rows)}\n`);
  else if (rows.length > 0) {
    const table = [['SERVICE', 'INSTANCE', 'VERSION', 'ENDPOINT', 'DOMAIN'], ...rows.map((r) => [r.service, String(r.instance), `${r.major}.${r.minor}`, r.endpoints.map((e) => `${e.protocol}://${e.address}:${e.port}`).join(' '), r.domain ?? '-'])];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
    await writeOut(ctx.io.stdout, table.map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n');
  }
  if (rows.length === 0) throw new SomeipCliFailure(`no service was offered at ${ctx.sd.address}:${ctx.sd.port} within ${waitS} s`);
  return EXIT_OK;
}

function eventLine(m: SomeipMessage, known: DomainService | undefined, instance: number): string {
  const ev = known ? compileInterface(known.iface).events.get(m.methodId) : undefined;
  const head = { t: Date.now() / 1000, service: `0x${hex4(m.serviceId)}`, instance, event: `0x${hex4(m.methodId)}` };
  if (known && ev) {
    try {
      return JSON.stringify({ ...head, name: ev.name, session: m.sessionId, value: payloadToJson(eventFields(known), ev.codec.decode(m.payload)) });
    } catch (err) {
      return JSON.stringify({ ...head, name: ev.name, session: m.sessionId, error: (err as Error).message, data: bytesToHex(m.payload) });
    }
  }
  return JSON.stringify({ ...head, name: null, session: m.sessionId, data: bytesToHex(m.payload) });
}

async function subscribe(ctx: Context, args: readonly string[], count: number | undefined, timeoutS: number | undefined): Promise<number> {
  const [serviceText, groupText, ...extra] = args;
  if (serviceText === undefined || groupText === undefined || extra.length > 0) throw new UsageError('subscribe takes SERVICE and EVENTGROUP');
  const { id, known } = serviceOf(ctx, serviceText);
  const eventgroupId = parseId(groupText, 'EVENTGROUP');
  return withProbe(ctx, async (probe) => {
    const remote = await found(ctx, probe, id);
    let n = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const lines: string[] = [];
    probe.endpoint.onMessage((m) => {
      // Only notifications of this service once SD has the Ack; anything else is unsolicited.
      if (m.messageType !== MessageType.NOTIFICATION || m.serviceId !== id) return;
      if (probe.sd.engine.subscriptionState(id, remote.instanceId, eventgroupId) !== 'acked') return;
      if (count !== undefined && n >= count) return;
      n++;
      lines.push(eventLine(m, known, remote.instanceId));
      if (count !== undefined && n >= count) done();
    });
    const state = await subscribeAndWait(probe, remote, eventgroupId, ctx.waitS ?? 3, ctx.signal);
    if (state !== 'acked') throw new SomeipCliFailure(`eventgroup ${eventgroupId} of service 0x${hex4(id)}: ${state === 'nacked' ? 'subscription refused (Nack)' : `no Ack within ${ctx.waitS ?? 3} s`}`);
    const timer = timeoutS === undefined ? undefined : setTimeout(done, timeoutS * 1000);
    // An offerer whose cyclic offers do not reach this socket lets its offer expire here; ask again then.
    const renew = setInterval(() => {
      const state = probe.sd.engine.subscriptionState(id, remote.instanceId, eventgroupId);
      if (state === 'idle' || state === 'nacked') probe.sd.subscribe(id, remote.instanceId, remote.majorVersion, eventgroupId, { type: 'ipv4-endpoint', address: probe.endpoint.local.address, protocol: 'udp', port: probe.endpoint.local.port });
    }, 1000);
    ctx.signal.addEventListener('abort', () => done(), { once: true });
    // Lines go out in batches: a fast eventgroup must not wait on stdout per event.
    const flusher = setInterval(() => void writeOut(ctx.io.stdout, lines.splice(0).map((l) => `${l}\n`).join('')), 50);
    await finished;
    clearTimeout(timer);
    clearInterval(flusher);
    clearInterval(renew);
    if (lines.length > 0) await writeOut(ctx.io.stdout, lines.splice(0).map((l) => `${l}\n`).join(''));
    probe.sd.unsubscribe(id, remote.instanceId, eventgroupId);
    await new Promise<void>((r) => setImmediate(r)); // let the StopSubscribe leave
    return EXIT_OK;
  });
}

function parseJsonArg(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`JSON argument: ${(err as Error).message}`);
  }
}

async function call(ctx: Context, args: readonly string[]): Promise<number> {
  const [serviceText, methodText, jsonText, ...extra] = args;
  if (serviceText === undefined || methodText === undefined || extra.length > 0) throw new UsageError('call takes SERVICE, METHOD and an optional JSON value');
  const { id, known } = serviceOf(ctx, serviceText);
  const request = parseJsonArg(jsonText);
  const methods = known ? compileInterface(known.iface).methods : undefined;
  const byName = methods && [...methods.entries()].find(([, m]) => m.name === methodText);
  const methodId = byName ? byName[0] : /^(0x[0-9a-f]+|\d+)$/i.test(methodText) ? parseId(methodText, 'METHOD', 0x7fff) : undefined;
  if (methodId === undefined) throw new UsageError(`service 0x${hex4(id)} has no method "${methodText}"${methods ? ` (it has: ${[...methods.values()].map((m) => m.name).join(', ') || 'none'})` : '; give a method ID for an unknown service'}`);
  const codecs = methods?.get(methodId);
  let payload: Uint8Array;
  if (codecs) payload = codecs.request.encode((request ?? {}) as SomeipValue);
  else if (request === undefined || (typeof request === 'string' && /^([0-9a-f]{2})*$/i.test(request))) payload = hexToBytes(request ?? '');
  else throw new UsageError('the request of a method without a known interface is a JSON string of hex bytes, e.g. \'"0a0b"\'');
  return withProbe(ctx, async (probe) => {
    const remote = await found(ctx, probe, id);
    const at = remote.endpoints.find((e) => e.protocol === 'udp');
    if (!at) throw new SomeipCliFailure(`service 0x${hex4(id)} offers no UDP endpoint`);
    const client = new SomeipClient({ endpoint: probe.endpoint, timeoutMs: (ctx.waitS ?? 3) * 1000 });
    try {
      const answer = await client.request({ serviceId: id, methodId, interfaceVersion: remote.majorVersion, payload }, at);
      if (!codecs) {
        await writeOut(ctx.io.stdout, `${JSON.stringify({ return_code: returnCodeName(answer.returnCode), message_type: answer.messageType === MessageType.ERROR ? 'ERROR' : 'RESPONSE', data: bytesToHex(answer.payload) })}\n`);
        return answer.returnCode === ReturnCode.E_OK ? EXIT_OK : EXIT_FAILURE;
      }
      if (answer.messageType === MessageType.ERROR || answer.returnCode !== ReturnCode.E_OK) throw new SomeipRemoteError(`service 0x${hex4(id)}.${codecs.name}`, answer.returnCode, returnCodeName(answer.returnCode));
      const value = codecs.response.decode(answer.payload);
      const shown = known && codecs.name === known.method ? payloadToJson(eventFields(known), value) : value;
      await writeOut(ctx.io.stdout, `${JSON.stringify(shown, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
      return EXIT_OK;
    } finally {
      client.close();
    }
  });
}

export const someipCommand: CliCommand = {
  name: 'someip',
  summary: 'list, subscribe to and call SOME/IP services (through SD)',
  help: HELP,
  subcommandHelp: subcommandHelps('someip', HELP, ['list', 'subscribe', 'call']),
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub !== 'list' && sub !== 'subscribe' && sub !== 'call') throw new UsageError(sub === undefined ? 'missing subcommand (list, subscribe or call)' : `unknown subcommand "${sub}"`);
    const { values, positionals } = parseCliArgs(rest, OPTIONS);
    const config = values.config ? await loadConfigFile(values.config, DOMAIN_LIST) : parseConfig({}, DOMAIN_LIST);
    const abort = new AbortController();
    const onSigint = (): void => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      const ctx: Context = {
        io,
        config,
        services: domainServices(config.someip, DOMAIN_LIST),
        sd: values.sd ? parseSd(values.sd) : { address: config.someip.address, port: config.someip.sd_port },
        waitS: values.wait === undefined ? undefined : parseSeconds(values.wait, 'wait', 0),
        bind: values.bind ?? '127.0.0.1',
        instance: values.instance === undefined ? undefined : parseId(values.instance, '--instance'),
        signal: abort.signal,
      };
      if (sub === 'list') {
        if (positionals.length > 0) throw new UsageError('list takes no arguments');
        return await list(ctx, values.json === true);
      }
      if (sub === 'subscribe') return await subscribe(ctx, positionals, values.count === undefined ? undefined : intFlag('count', values.count, 0), values.timeout === undefined ? undefined : parseSeconds(values.timeout, 'timeout', 0));
      return await call(ctx, positionals);
    } catch (err) {
      if (err instanceof SomeipCliFailure || err instanceof SomeipTimeoutError || err instanceof SomeipRemoteError) {
        io.stderr.write(`ecu-ai someip: ${err.message}\n`);
        return EXIT_FAILURE;
      }
      if (err instanceof RuntimeError) {
        io.stderr.write(`ecu-ai someip: ${err.message}\n`);
        return EXIT_BAD_INPUT;
      }
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
