/** Polls a condition for the loopback tests; network delivery has no completion event to await. */
export function waitFor<T>(f: () => T | undefined, ms = 3000): Promise<T> {
  const t0 = Date.now();
  return new Promise<T>((resolve, reject) => {
    const tick = (): void => {
      const v = f();
      if (v !== undefined) return resolve(v);
      if (Date.now() - t0 > ms) return reject(new Error('condition not met in time'));
      setTimeout(tick, 5);
    };
    tick();
  });
}
