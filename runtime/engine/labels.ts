/**
 * Ground-truth labels beside a trace (`--labels FILE.jsonl`): one `{"t", "domain", "label"}` per line,
 * as the simulator writes them. Lookup gives the label valid at an instant: the latest at or before it.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { LabelsInvalidError } from '../errors.js';

export interface LabelLine {
  readonly t: number;
  readonly domain: string;
  readonly label: unknown;
}

/** Labels of every domain, each domain's in time order. */
export class LabelTrack {
  readonly #byDomain = new Map<string, { t: Float64Array; labels: unknown[] }>();
  readonly #cursor = new Map<string, number>();

  constructor(lines: readonly LabelLine[]) {
    const grouped = new Map<string, LabelLine[]>();
    for (const l of lines) {
      const list = grouped.get(l.domain) ?? [];
      list.push(l);
      grouped.set(l.domain, list);
    }
    for (const [domain, list] of grouped) {
      list.sort((a, b) => a.t - b.t);
      this.#byDomain.set(domain, { t: Float64Array.from(list, (l) => l.t), labels: list.map((l) => l.label) });
    }
  }

  domains(): string[] {
    return [...this.#byDomain.keys()];
  }

  /**
   * The label of `domain` valid at `t` (the latest with time <= t), or undefined before the first.
   * Queries in non-decreasing time per domain are amortised O(1), as replay makes them.
   */
  at(domain: string, t: number): unknown {
    const track = this.#byDomain.get(domain);
    if (!track) return undefined;
    let i = this.#cursor.get(domain) ?? -1;
    if (i >= 0 && (track.t[i] as number) > t) i = -1;
    while (i + 1 < track.t.length && (track.t[i + 1] as number) <= t + 1e-9) i++;
    this.#cursor.set(domain, i);
    return i >= 0 ? track.labels[i] : undefined;
  }
}

/**
 * Reads a labels file.
 * @throws {LabelsInvalidError} naming file:line for a line that is not a label object
 */
export async function loadLabels(path: string): Promise<LabelTrack> {
  const lines: LabelLine[] = [];
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      throw new LabelsInvalidError(`${path}:${n}`, 'not JSON');
    }
    const o = obj as Partial<LabelLine>;
    if (typeof o !== 'object' || o === null || typeof o.t !== 'number' || !Number.isFinite(o.t) || typeof o.domain !== 'string' || !('label' in o)) {
      throw new LabelsInvalidError(`${path}:${n}`, 'expected {"t": number, "domain": string, "label": ...}');
    }
    lines.push({ t: o.t, domain: o.domain, label: o.label });
  }
  return new LabelTrack(lines);
}
