/**
 * Linux SocketCAN through the optional native `socketcan` package, loaded only when a SocketCAN bus
 * is opened: hosts without the module, or kernels without AF_CAN, fail at open with a
 * `BusInitError` that says which, and everything else in ecu-ai keeps working.
 *
 * Limit: the native binding does not report whether a received frame was CAN FD; frames over
 * 8 bytes are marked FD, shorter FD frames arrive as classic ones (BRS/ESI are not reported).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BusInitError, BusOperationError } from '../errors.js';
import { lengthToDlc, makeFrame, type CanFrame } from '../frame.js';
import type { CommonBusOptions } from './bus.js';
import { BaseBus } from './base-bus.js';

export interface SocketcanOptions extends CommonBusOptions {
  /** Network interface, e.g. `can0`, `vcan0`. */
  readonly channel: string;
}

interface NativeMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data: Buffer;
  ts_sec?: number;
  ts_usec?: number;
}

interface NativeChannel {
  addListener(event: 'onMessage', callback: (msg: NativeMessage) => void): void;
  start(): void;
  stop(): void;
  send(msg: { id: number; ext: boolean; rtr: boolean; data: Buffer }): void;
  sendFD(msg: { id: number; ext: boolean; brs: boolean; data: Buffer }): void;
}

interface NativeModule {
  createRawChannelWithOptions(channel: string, options: { timestamps?: boolean; non_block_send?: boolean }): NativeChannel;
}

/**
 * Whether this host can open a SocketCAN channel, and if not, why (no AF_CAN in the kernel, no such
 * interface). Reads /proc and /sys at call time.
 */
export function socketcanSupport(channel?: string): { available: boolean; reason: string } {
  if (process.platform !== 'linux') return { available: false, reason: `SocketCAN needs Linux; this is ${process.platform}` };
  if (!existsSync('/proc/net/can')) {
    return { available: false, reason: 'this kernel has no AF_CAN (no /proc/net/can: CAN support is not built or the can module is not loaded)' };
  }
  if (channel !== undefined && !existsSync(`/sys/class/net/${channel}`)) {
    return { available: false, reason: `no network interface ${channel} (for a virtual one: ip link add dev ${channel} type vcan && ip link set up ${channel})` };
  }
  return { available: true, reason: '' };
}

/**
 * Loads the native binding. npm leaves out an optional dependency whose native build fails at install,
 * quietly, and npm 11.16+ builds it only when allowScripts allows it: the error says which happened and
 * the command that rebuilds it, in the folder that holds node_modules.
 * @throws {BusInitError} naming the failed native build and how to rebuild it.
 */
export async function loadSocketcanNative(name = 'socketcan'): Promise<NativeModule> {
  try {
    // A variable specifier keeps the optional native module out of compile-time resolution.
    const specifier = 'socketcan';
    return (await import(specifier)) as NativeModule;
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0] ?? '';
    const folder = installationFolder();
    const absent = (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && reason.includes("package 'socketcan'");
    const advice = absent
      ? 'the optional native module "socketcan" is not installed: npm leaves it out, quietly, when its native build fails at install ' +
        `(node-gyp needs python3, make and a C++ compiler) or under --omit=optional; with those tools, run \`npm install --omit=dev\` again in ${folder}`
      : 'the native build of "socketcan" failed, did not run at install (npm 11.16+ runs it only when allowScripts allows socketcan) ' +
        `or was made for another Node.js; with python3, make and a C++ compiler, run \`npm rebuild socketcan\` in ${folder}`;
    throw new BusInitError(`${name}: ${advice} (${reason})`, { cause: err });
  }
}

/** The folder whose node_modules holds (or should hold) socketcan: above the last node_modules, else the package root. */
function installationFolder(): string {
  const here = fileURLToPath(import.meta.url);
  const marker = `${path.sep}node_modules${path.sep}`;
  const inDependencies = here.lastIndexOf(marker);
  if (inDependencies >= 0) return here.slice(0, inDependencies);
  let dir = path.dirname(here);
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export class SocketcanBus extends BaseBus {
  readonly #channel: NativeChannel;

  private constructor(options: SocketcanOptions, native: NativeChannel) {
    super(`socketcan:${options.channel}`, options);
    this.#channel = native;
    native.addListener('onMessage', (msg) => {
      try {
        this.deliver(fromNative(msg, options.channel));
      } catch (err) {
        this.reportMalformed(new BusOperationError(`${this.name}: unusable frame from the kernel: ${(err as Error).message}`, { cause: err }));
      }
    });
    native.start();
  }

  /**
   * Opens a raw CAN socket on the interface.
   * @throws {BusInitError} when the native module is missing, the kernel lacks AF_CAN, or the interface does not exist.
   */
  static async open(options: SocketcanOptions): Promise<SocketcanBus> {
    const name = `socketcan:${options.channel}`;
    const support = socketcanSupport(options.channel);
    if (!support.available) throw new BusInitError(`${name}: ${support.reason}`);
    const mod = await loadSocketcanNative(name);
    let native: NativeChannel;
    try {
      native = mod.createRawChannelWithOptions(options.channel, { timestamps: true, non_block_send: true });
    } catch (err) {
      throw new BusInitError(`${name}: cannot open a raw CAN socket: ${(err as Error).message}`, { cause: err });
    }
    return new SocketcanBus(options, native);
  }

  protected transmit(frame: CanFrame): void {
    const data = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
    try {
      if (frame.fd) this.#channel.sendFD({ id: frame.id, ext: frame.extended, brs: frame.brs, data });
      else this.#channel.send({ id: frame.id, ext: frame.extended, rtr: frame.rtr, data });
    } catch (err) {
      throw new BusOperationError(`${this.name}: send failed: ${(err as Error).message}`, { cause: err });
    }
  }

  protected release(): Promise<void> {
    this.#channel.stop();
    return Promise.resolve();
  }
}

function fromNative(msg: NativeMessage, channel: string): CanFrame {
  const data = new Uint8Array(msg.data);
  const fd = data.length > 8;
  return makeFrame({
    timestamp: msg.ts_sec === undefined ? Date.now() / 1000 : msg.ts_sec + (msg.ts_usec ?? 0) / 1e6,
    channel,
    id: msg.id,
    extended: msg.ext ?? false,
    fd,
    rtr: msg.rtr ?? false,
    error: msg.err ?? false,
    dlc: lengthToDlc(data.length, fd),
    data: msg.rtr ? new Uint8Array(0) : data,
  });
}
