/** The per-domain table `ecu-ai replay` and `npm start` print for people. */
import type { ReplaySummary } from '../runtime/engine/summary.js';

function cell(v: string | number, width: number, left = false): string {
  const s = String(v);
  return left ? s.padEnd(width) : s.padStart(width);
}

function metricsText(m: Readonly<Record<string, number | null>> | undefined): string {
  if (!m) return '-';
  return Object.entries(m)
    .map(([k, v]) => `${k}=${v === null ? 'n/a' : Number.isInteger(v) ? v : v.toFixed(3)}`)
    .join(' ');
}

export function formatDomainTable(s: ReplaySummary): string {
  const header = ['domain', 'inferences', 'invalid in', 'p50 ms', 'p99 ms', 'misses', 'dropped', 'fp32', 'int8', 'cloud', 'fallback', 'switches', 'metrics vs labels'];
  const widths = [10, 10, 10, 7, 7, 6, 7, 6, 6, 6, 8, 8, 0];
  const lines = [header.map((h, i) => cell(h, widths[i] as number, i === 0 || i === header.length - 1)).join('  ')];
  for (const [name, d] of Object.entries(s.domains)) {
    const switches = s.events.filter((e) => e.domain === name).length;
    const note = d.first_valid_input_t === null ? 'INPUTS NEVER VALID; ' : '';
    const row = [name, d.inferences, d.invalid_inputs, d.latency_ms.p50, d.latency_ms.p99, d.deadline_misses, d.dropped, d.variants.fp32, d.variants.int8, d.variants.cloud, d.variants.fallback, switches, note + metricsText(d.metrics)];
    lines.push(row.map((v, i) => cell(v, widths[i] as number, i === 0 || i === row.length - 1)).join('  '));
  }
  const ev = s.events.length === 0 ? ['  (none)'] : s.events.slice(0, 20).map((e) => `  t=${e.t.toFixed(1)} s  ${e.kind} ${e.domain} -> ${e.to}: ${e.why}`);
  if (s.events.length > 20) ev.push(`  ... ${s.events.length - 20} more in the JSON summary`);
  const t = s.trace;
  const unknown = t.unknown_ids.length === 0 ? '' : `; ids not in the DBC: ${t.unknown_ids.map((u) => `${u.id} (${u.frames})`).join(', ')}${t.not_in_dbc > t.unknown_ids.reduce((a, u) => a + u.frames, 0) ? ', ...' : ''}`;
  // Relative to the trace's first frame: recorders stamp frames with epoch or logger-start times.
  const firstValid = Object.entries(s.domains)
    .map(([name, d]) => `${name} ${d.first_valid_input_t === null ? 'never' : (d.first_valid_input_t - (t.first_t ?? 0)).toFixed(2)}`)
    .join(', ');
  return [
    `trace ${t.path}: ${t.frames} frames, ${s.duration_s.toFixed(1)} s of driving; replayed in ${s.wall.elapsed_s} s (${s.wall.speed_x}x real time)${s.complete ? '' : '; INTERRUPTED, incomplete'}`,
    `vehicle ${s.vehicle.profile}, DBC ${s.vehicle.dbc}, models ${s.vehicle.models_dir}`,
    `frames read ${t.frames}, decoded by the DBC ${t.decoded}${t.skipped > 0 ? `, skipped as malformed ${t.skipped}` : ''}${unknown}`,
    `inputs first valid (s after the first frame): ${firstValid}`,
    `SoC (${s.platform.profile} model): max ${s.platform.max_soc_c} C, final ${s.platform.final_soc_c} C, mean power ${s.platform.mean_power_w} W`,
    '',
    ...lines,
    '',
    'degradation events:',
    ...ev,
    '',
  ].join('\n');
}
