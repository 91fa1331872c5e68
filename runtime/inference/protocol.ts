/**
 * Messages between the supervisor and a domain's inference worker. Typed arrays travel as themselves
 * (structured clone / `serialization: 'advanced'`), never as JSON.
 */
import type { LocalVariant, TensorSpec } from './manifest.js';
import type { Outputs, TensorData } from './tensors.js';

/** Test-only faults a worker injects into itself when its pool allows fault injection. */
export type FaultKind = 'crash' | 'hang' | 'leak' | 'abort' | 'garble';
/** In wire order: a fault frame carries the index (see wire.ts), so new kinds go at the end. */
export const FAULT_KINDS: readonly FaultKind[] = ['crash', 'hang', 'leak', 'abort', 'garble'];

/** One variant's verified model bytes and declared boundary. */
export interface VariantLoad {
  /** Which of the worker's domains this session serves: 0 unless the worker is shared. */
  readonly slot: number;
  /** The domain the session serves, named in its errors. */
  readonly domain: string;
  readonly variant: LocalVariant;
  /** name@version#variant */
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

export interface LoadMessage {
  readonly t: 'load';
  /** The worker's name in its own errors: the domain, or the group of a shared worker. */
  readonly domain: string;
  readonly variants: readonly VariantLoad[];
  readonly threads: number;
  readonly warmupRuns: number;
  /** Whether `__fault` messages are obeyed; off in production. */
  readonly faults: boolean;
}

export type ToWorker =
  | LoadMessage
  | { readonly t: 'run'; readonly id: number; readonly variant: LocalVariant; readonly slot: number; readonly feeds: Readonly<Record<string, TensorData>> }
  | FaultMessage
  | { readonly t: 'close' };

/**
 * A test fault: at once, or armed on a slot, when it fires instead of that slot's next run, as a model
 * that crashes or hangs onnxruntime would, with the call outstanding.
 */
export interface FaultMessage {
  readonly t: '__fault';
  readonly kind: FaultKind;
  readonly onRunOfSlot?: number;
}

/** An error as it crosses the boundary: class name and code survive, the stack does not matter. */
export interface WireError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

export type FromWorker =
  | { readonly t: 'ready'; readonly pid: number }
  | { readonly t: 'load-error'; readonly error: WireError }
  | { readonly t: 'result'; readonly id: number; readonly outputs: Outputs }
  | { readonly t: 'error'; readonly id: number; readonly error: WireError };

/** Flattens any thrown value for the wire. */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, code: typeof code === 'string' ? code : 'INFERENCE_FAILED', message: err.message };
  }
  return { name: 'Error', code: 'INFERENCE_FAILED', message: String(err) };
}
