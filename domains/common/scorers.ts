/**
 * Ground-truth scoring shared by the domains: classification accuracy, binary detection
 * (recall/precision), warning episodes (false warnings per hour) and mean absolute error.
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
  /** Hits / samples; 0 before any sample. */
  accuracy(): number {
    return this.#n === 0 ? 0 : this.#hits / this.#n;
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
  /** TP / (TP + FN); 1 when nothing was there to find (nothing missed). */
  recall(): number {
    return this.tp + this.fn === 0 ? 1 : this.tp / (this.tp + this.fn);
  }
  /** TP / (TP + FP); 1 when nothing was flagged (no false alarm). */
  precision(): number {
    return this.tp + this.fp === 0 ? 1 : this.tp / (this.tp + this.fp);
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
  /** Detected / events; 1 without events. */
  recall(): number {
    return this.events === 0 ? 1 : this.detected / this.events;
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
  mae(): number {
    return this.#n === 0 ? 0 : this.#sum / this.#n;
  }
}

/** Rounds a metric for reports (6 decimals: stable text, no float noise). */
export function metric(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
