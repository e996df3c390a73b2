import { InputError } from '../core/errors';
import { Counts, GateVerdict, PassRule, Threshold } from './types';

/** "90%" / "90 %" → percent, "5" → count of devices. */
export function parseThreshold(text: string, field = 'threshold'): Threshold {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) {
    const v = Number(pct[1]);
    if (v <= 0 || v > 100) throw new InputError(`${field} must be a percentage from 0 (exclusive) to 100, got "${text}".`, { field });
    return { kind: 'percent', value: v };
  }
  if (/^\d+$/.test(t) && Number(t) >= 1) return { kind: 'count', value: Number(t) };
  throw new InputError(`${field} must be a percentage like "90%" or a device count like "5", got "${text}".`, { field });
}

export function thresholdText(t: Threshold): string {
  return t.kind === 'percent' ? `${t.value}% of devices` : `${t.value} device(s)`;
}

/** The pass rule over final counts. A gate over no devices never passes (minDevices ≥ 1). */
export function evaluateGate(c: Counts, rule: PassRule): GateVerdict {
  const denominator = rule.offline === 'exclude' ? c.targeted - c.offline : c.targeted;
  const failures = c.failed + (rule.offline === 'fail' ? c.offline : 0);
  const passPercent = denominator > 0 ? (c.passed / denominator) * 100 : 0;
  const reasons: string[] = [];
  const min = Math.max(1, rule.minDevices);
  if (denominator < min) {
    reasons.push(`${denominator} device(s) ${rule.offline === 'exclude' ? 'online' : 'targeted'}, at least ${min} required`);
  }
  if (rule.threshold.kind === 'percent') {
    // Compare in integers-ish to avoid 89.99999 vs 90 surprises.
    if (c.passed * 100 < rule.threshold.value * denominator - 1e-9 || denominator === 0) {
      reasons.push(`${c.passed} of ${denominator} device(s) passed (${passPercent.toFixed(1)}%), below the ${rule.threshold.value}% threshold`);
    }
  } else if (c.passed < rule.threshold.value) {
    reasons.push(`${c.passed} device(s) passed, below the threshold of ${rule.threshold.value}`);
  }
  if (rule.maxFailures !== undefined && failures > rule.maxFailures) {
    reasons.push(`${failures} failure(s)${rule.offline === 'fail' && c.offline ? ` (${c.offline} offline)` : ''}, more than the ${rule.maxFailures} allowed`);
  }
  return { passed: reasons.length === 0, reasons, denominator, failures, passPercent };
}
