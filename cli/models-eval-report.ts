/** The text form of `ecu-ai models eval`'s model-vs-rule comparison. */
import type { Interval, RuleComparison, ScopeComparison, VariantComparison } from '../models/build/rule-comparison.js';

function num(x: number | null, signed = false): string {
  if (x === null) return 'n/a';
  const s = x.toFixed(3);
  return signed && x >= 0 ? `+${s}` : s;
}

function figure(i: Interval, signed = false): string {
  if (i.value === null) return 'n/a';
  return `${num(i.value, signed)} [${num(i.ci_low, signed)}, ${num(i.ci_high, signed)}]`;
}

/** Why a tie is one when no interval could judge it. */
function verdict(c: VariantComparison, drivesUsed: number): string {
  if (c.difference.value === null) return 'n/a (no support)';
  if (drivesUsed < 2) return `${c.winner} (one drive: no interval)`;
  return c.winner;
}

function scopeLines(s: ScopeComparison): string[] {
  const head = `  ${s.scenario === null ? 'all drives' : `scenario ${s.scenario}`} (${s.drives} drive${s.drives === 1 ? '' : 's'})`;
  const lines = [head];
  for (const m of s.metrics) {
    lines.push(`    ${m.metric} (${m.higher_is_better ? 'higher' : 'lower'} is better; ${m.drives_used} of ${s.drives} drives with support)`);
    lines.push(`      rule     ${figure(m.rule)}`);
    for (const v of ['fp32', 'int8'] as const) {
      const c = m[v];
      if (c) lines.push(`      ${v.padEnd(8)} ${figure(c)}  model-rule ${figure(c.difference, true)}  winner: ${verdict(c, m.drives_used)}`);
    }
  }
  return lines;
}

/** Lines setting each variant beside the rule, all drives first, then each scenario. */
export function comparisonLines(c: RuleComparison): string[] {
  return [`  model vs rule on the same drives: 95% bootstrap intervals over drives (${c.resamples} resamples)`, ...[c.overall, ...c.scenarios].flatMap(scopeLines)];
}
