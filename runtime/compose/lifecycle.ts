/**
 * The daemon and replay are ordered components: each starts once what it depends on is up, and
 * they close in the reverse order, so nothing is closed while something started after it still
 * uses it. A start that fails closes what had started; `close` is the one teardown path, for a
 * normal stop and for a failed start alike.
 */

/** One part of the runtime: what `start` opened, `close` releases. */
export interface Component<T> {
  readonly name: string;
  /** Opens the part and returns what later components use; on failure releases what it took itself. */
  start(): Promise<T>;
  /** Releases what `start` opened. Called once, only after a successful start. */
  close(): Promise<void>;
}

/** A component that closes nothing: a loaded file, a computed table. */
export function component<T>(name: string, start: () => Promise<T> | T, close: (value: T) => Promise<void> | void = () => undefined): Component<T> {
  let value: T | undefined;
  let started = false;
  return {
    name,
    async start() {
      value = await start();
      started = true;
      return value;
    },
    async close() {
      if (started) await close(value as T);
    },
  };
}

export interface LifecycleOptions {
  /** Told about a component whose close threw; the others still close. Default: ignored. */
  readonly onCloseError?: (name: string, err: unknown) => void;
  /** Told when each component has started and closed (logs, tests). */
  readonly onTransition?: (name: string, state: 'started' | 'closed') => void;
}

/** Thrown by `start` once the lifecycle is closing: nothing starts after teardown began. */
export class LifecycleClosedError extends Error {
  constructor(name: string) {
    super(`${name} not started: the runtime is closing`);
    this.name = 'LifecycleClosedError';
  }
}

export class Lifecycle {
  readonly #started: Component<unknown>[] = [];
  readonly #o: LifecycleOptions;
  #closing: Promise<void> | undefined;

  constructor(o: LifecycleOptions = {}) {
    this.#o = o;
  }

  /**
   * Starts `c` after every component started before it.
   * @throws whatever `c.start` throws (the caller then closes the lifecycle); {LifecycleClosedError} once closing
   */
  async start<T>(c: Component<T>): Promise<T> {
    if (this.#closing) throw new LifecycleClosedError(c.name);
    const value = await c.start();
    if (this.#closing) {
      // Closing began while this one started: it is closed here, since the teardown has passed it.
      await c.close().catch((err: unknown) => this.#o.onCloseError?.(c.name, err));
      throw new LifecycleClosedError(c.name);
    }
    this.#started.push(c as Component<unknown>);
    this.#o.onTransition?.(c.name, 'started');
    return value;
  }

  /** The names of the started components, in start order. */
  get started(): readonly string[] {
    return this.#started.map((c) => c.name);
  }

  /** Closes every started component in reverse start order; one that throws does not stop the rest. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      while (this.#started.length > 0) {
        const c = this.#started.pop()!;
        try {
          await c.close();
          this.#o.onTransition?.(c.name, 'closed');
        } catch (err) {
          this.#o.onCloseError?.(c.name, err);
        }
      }
    })();
    return this.#closing;
  }
}
