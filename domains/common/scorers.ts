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
 * Warning episodes: a run of consecutive warning samples is one warning; it is false when no sample
 * in it has the truth set. Samples must be added in time order.
 */
export class EpisodeCounter {
  #inEpisode = false;
  #episodeTrue = false;
  episodes = 0;
  falseEpisodes = 0;
  add(warning: boolean, truth: boolean): void {
    if (warning) {
      if (!this.#inEpisode) {
        this.#inEpisode = true;
        this.#episodeTrue = false;
        this.episodes++;
      }
      this.#episodeTrue ||= truth;
    } else this.#close();
  }
  #close(): void {
    if (this.#inEpisode && !this.#episodeTrue) this.falseEpisodes++;
    this.#inEpisode = false;
  }
  /** Closes an open episode (end of the drive). Idempotent. */
  finish(): void {
    this.#close();
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
