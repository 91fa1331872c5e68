/**
 * Ground-truth scoring shared by the domains: classification accuracy, binary detection
 * (recall/precision), warning episodes (false warnings per hour) and mean absolute error.
 * A figure with no support (no positives, no events, no samples) is null, never 1 or 0: a drive with
 * nothing to detect must not read as a perfect detector.
 */

/** Accuracy of predicted classes against true ones. */
export class AccuracyCounter {
  #n = 0;
  #hits = 0;
  add(predicted: number, truth: number): void {
    this.#n++;
    if (predicted === truth) this.#hits++;
  }
  get count(): number {
    return this.#n;
  }
  /** Hits / samples; null before any sample (no support: nothing to be right or wrong about). */
  accuracy(): number | null {
    return this.#n === 0 ? null : this.#hits / this.#n;
  }
}

/** Per-sample detection counts. */
export class DetectionCounter {
  tp = 0;
  fp = 0;
  fn = 0;
  tn = 0;
  add(flagged: boolean, truth: boolean): void {
    if (flagged && truth) this.tp++;
    else if (flagged) this.fp++;
    else if (truth) this.fn++;
    else this.tn++;
  }
  /** TP / (TP + FN); null when nothing was there to find (zero out of zero is not a score). */
  recall(): number | null {
    return this.tp + this.fn === 0 ? null : this.tp / (this.tp + this.fn);
  }
  /** TP / (TP + FP); null when nothing was flagged. */
  precision(): number | null {
    return this.tp + this.fp === 0 ? null : this.tp / (this.tp + this.fp);
  }
}

/**
 * Warning episodes: a run of consecutive warning samples is one warning. It is false when the
 * truth is set at none of its samples nor within `toleranceS` before it starts or after it ends
 * (a warning a moment early or a moment late is about the same event). Add samples in time order.
 */
export class EpisodeCounter {
  readonly #tolerance: number;
  #inEpisode = false;
  #episodeTrue = false;
  #lastTruthT = Number.NEGATIVE_INFINITY;
  /** End times of closed episodes not (yet) matched to a truth sample. */
  #pending: number[] = [];
  episodes = 0;
  falseEpisodes = 0;
  constructor(toleranceS = 1) {
    this.#tolerance = toleranceS;
  }
  add(t: number, warning: boolean, truth: boolean): void {
    if (truth) {
      this.#lastTruthT = t;
      // A truth sample shortly after closed episodes vindicates them.
      this.#pending = this.#pending.filter((end) => t - end > this.#tolerance);
    }
    this.#settle(t);
    if (warning) {
      if (!this.#inEpisode) {
        this.#inEpisode = true;
        this.#episodeTrue = t - this.#lastTruthT <= this.#tolerance;
        this.episodes++;
      }
      this.#episodeTrue ||= truth;
    } else if (this.#inEpisode) {
      this.#inEpisode = false;
      if (!this.#episodeTrue) this.#pending.push(t);
    }
  }
  /** Episodes whose tolerance has run out without truth are false. */
  #settle(t: number): void {
    while (this.#pending.length > 0 && t - (this.#pending[0] as number) > this.#tolerance) {
      this.#pending.shift();
      this.falseEpisodes++;
    }
  }
  /** Closes the drive: open and pending unmatched episodes count as false. Idempotent. */
  finish(): void {
    if (this.#inEpisode && !this.#episodeTrue) this.falseEpisodes++;
    this.#inEpisode = false;
    this.falseEpisodes += this.#pending.length;
    this.#pending = [];
  }
}

/**
 * Fault episodes: a run of consecutive truth samples is one event; it is detected when any of its
 * samples is flagged.
 */
export class EventCounter {
  #inEvent = false;
  #hit = false;
  events = 0;
  detected = 0;
  add(flagged: boolean, truth: boolean): void {
    if (truth) {
      if (!this.#inEvent) {
        this.#inEvent = true;
        this.#hit = false;
        this.events++;
      }
      if (flagged && !this.#hit) {
        this.#hit = true;
        this.detected++;
      }
    } else this.#inEvent = false;
  }
  /** Detected / events; null without events. */
  recall(): number | null {
    return this.events === 0 ? null : this.detected / this.events;
  }
}

/** Mean absolute error. */
export class MaeCounter {
  #n = 0;
  #sum = 0;
  add(predicted: number, truth: number): void {
    this.#n++;
    this.#sum += Math.abs(predicted - truth);
  }
  /** Null before any sample. */
  mae(): number | null {
    return this.#n === 0 ? null : this.#sum / this.#n;
  }
}

/** Rounds a metric for reports (6 decimals: stable text, no float noise); null (no support) stays null. */
export function metric(x: number): number;
export function metric(x: number | null): number | null;
export function metric(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1e6) / 1e6;
}

/** A ratio with its support: null when the denominator is zero. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}
