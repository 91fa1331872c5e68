/**
 * What a domain's inference worker does, independent of whether it is a child process or a thread:
 * load the sessions, answer runs, obey test faults, close.
 */
import type { LocalVariant } from './manifest.js';
import type { FaultKind, FromWorker, LoadMessage, ToWorker } from './protocol.js';
import { toWireError } from './protocol.js';
import { OnnxSession } from './session.js';

export interface WorkerHost {
  send(msg: FromWorker): void;
  /** Ends the worker (process exit or thread exit). */
  exit(code: number): void;
  /** Writes raw bytes to the frame pipe (process workers only): the `garble` fault. */
  sendRaw?(bytes: Buffer): void;
}

export class WorkerCore {
  readonly #host: WorkerHost;
  /** Sessions by slot (the domain within a shared worker), then variant. */
  readonly #sessions = new Map<number, Map<LocalVariant, OnnxSession>>();
  #faults = false;
  #domain = '?';
  /** Held so the leak fault's memory stays reachable. */
  readonly #leaked: Buffer[] = [];
  /** Test faults waiting for a run of their slot. */
  readonly #armed = new Map<number, FaultKind>();

  constructor(host: WorkerHost) {
    this.#host = host;
  }

  handle(msg: ToWorker): void {
    switch (msg.t) {
      case 'load':
        void this.#load(msg);
        return;
      case 'run': {
        // Test faults only: one size check per run in production.
        const armed = this.#armed.size > 0 ? this.#armed.get(msg.slot) : undefined;
        if (armed !== undefined) {
          this.#armed.delete(msg.slot);
          // onnxruntime-node runs a session in a setImmediate callback, in arrival order: the fault
          // takes the place of this run there, after the runs that arrived before it have answered.
          setImmediate(() => this.#fault(armed));
          if (armed !== 'leak') return;
        }
        const session = this.#sessions.get(msg.slot)?.get(msg.variant);
        if (session === undefined) {
          this.#host.send({ t: 'error', id: msg.id, error: { name: 'InferenceError', code: 'INFERENCE_FAILED', message: `${this.#domain}: variant ${msg.variant} of slot ${msg.slot} is not loaded` } });
          return;
        }
        session.runChecked(msg.feeds).then(
          (outputs) => this.#host.send({ t: 'result', id: msg.id, outputs }),
          (err: unknown) => this.#host.send({ t: 'error', id: msg.id, error: toWireError(err) }),
        );
        return;
      }
      case '__fault':
        if (!this.#faults) return;
        if (msg.onRunOfSlot === undefined) this.#fault(msg.kind);
        else this.#armed.set(msg.onRunOfSlot, msg.kind);
        return;
      case 'close':
        void this.#close();
        return;
    }
  }

  async #load(msg: LoadMessage): Promise<void> {
    this.#domain = msg.domain;
    this.#faults = msg.faults;
    try {
      for (const v of msg.variants) {
        const s = await OnnxSession.create(v.bytes, {
          domain: v.domain,
          label: v.label,
          inputs: v.inputs,
          outputs: v.outputs,
          threads: msg.threads,
          warmupRuns: msg.warmupRuns,
        });
        const slot = this.#sessions.get(v.slot) ?? new Map<LocalVariant, OnnxSession>();
        slot.set(v.variant, s);
        this.#sessions.set(v.slot, slot);
      }
      this.#host.send({ t: 'ready', pid: process.pid });
    } catch (err) {
      this.#host.send({ t: 'load-error', error: toWireError(err) });
    }
  }

  #fault(kind: FaultKind): void {
    switch (kind) {
      case 'crash':
        this.#host.exit(70);
        return;
      case 'abort':
        process.abort();
        return;
      case 'hang':
        // Blocks the event loop for good, like a stuck native kernel: only the watchdog ends it.
        for (;;) {
          /* spin */
        }
      case 'garble':
        // A result frame announcing one tensor and carrying none: the supervisor must not trust this worker again.
        this.#host.sendRaw?.(Buffer.from([8, 0, 0, 0, 0x81, 0, 0, 1, 0, 0, 0, 0]));
        return;
      case 'leak': {
        const grow = (): void => {
          // fill() touches the pages, so the growth shows in RSS rather than only in reserved address space.
          this.#leaked.push(Buffer.alloc(32 << 20).fill(1));
          setTimeout(grow, 20);
        };
        grow();
        return;
      }
    }
  }

  async #close(): Promise<void> {
    for (const slot of this.#sessions.values()) for (const s of slot.values()) await s.release();
    this.#sessions.clear();
    this.#host.exit(0);
  }
}
