/** Polls until a condition holds; throws naming what it waited for when time runs out. */
export async function until(what: string, cond: () => boolean, ms = 10_000, stepMs = 5): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
