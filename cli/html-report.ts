/** `ecu-ai replay --report FILE.html`: the replay summary as one self-contained page. */
import type { ReplaySummary } from '../runtime/engine/summary.js';

function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function renderHtmlReport(s: ReplaySummary): string {
  const rows = Object.entries(s.domains)
    .map(([name, d]) => {
      const metrics = d.metrics ? Object.entries(d.metrics).map(([k, v]) => `${esc(k)} = ${esc(v)}`).join('<br>') : '';
      return `<tr><td>${esc(name)}</td><td>${d.inferences}</td><td>${d.latency_ms.p50}</td><td>${d.latency_ms.p99}</td><td>${d.latency_ms.max}</td><td>${d.deadline_misses}</td><td>${d.dropped}</td><td>${d.variants.fp32}</td><td>${d.variants.int8}</td><td>${d.variants.cloud}</td><td>${d.variants.fallback}</td><td>${metrics}</td></tr>`;
    })
    .join('\n');
  const events = s.events.map((e) => `<tr><td>${e.t.toFixed(3)}</td><td>${esc(e.kind)}</td><td>${esc(e.domain)}</td><td>${esc(e.to)}</td><td>${esc(e.why)}</td></tr>`).join('\n');
  const off = Object.entries(s.disabled_domains ?? {});
  const disabled = off.length === 0 ? '' : `<h2>Disabled on this vehicle</h2>\n<table><tr><th>domain</th><th>required signals not mapped</th></tr>\n${off.map(([d, x]) => `<tr><td>${esc(d)}</td><td>${esc(x.missing.join(', '))}</td></tr>`).join('\n')}\n</table>\n`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ecu-ai replay: ${esc(s.trace.path)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>Replay of ${esc(s.trace.path)}</h1>
<p>${s.trace.frames} frames (${esc(s.trace.format)}), ${s.duration_s.toFixed(1)} s of driving, replayed in ${s.wall.elapsed_s} s (${s.wall.speed_x}x real time).
SoC (${esc(s.platform.profile)} model): max ${s.platform.max_soc_c} °C, final ${s.platform.final_soc_c} °C, mean power ${s.platform.mean_power_w} W.</p>
<p>Vehicle ${esc(s.vehicle.profile)}, DBC ${esc(s.vehicle.dbc)}, models ${esc(s.vehicle.models_dir)}; ${s.trace.decoded} of ${s.trace.frames} frames decoded by the DBC.</p>
${disabled}<h2>Domains</h2>
<table><tr><th>domain</th><th>inferences</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>misses</th><th>dropped</th><th>fp32</th><th>int8</th><th>cloud</th><th>fallback</th><th>metrics</th></tr>
${rows}
</table>
<p>Latencies are modelled in virtual time from the profiled costs; wall-clock figures are in the JSON summary under <code>wall</code>.</p>
<h2>Degradation events</h2>
<table><tr><th>t (s)</th><th>kind</th><th>domain</th><th>to</th><th>why</th></tr>
${events || '<tr><td colspan="5">none</td></tr>'}
</table>
</body></html>
`;
}
