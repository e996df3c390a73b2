/**
 * Restart counts observed across polls: a module is stable once its restartCount stayed flat for
 * the whole window, and flapping while it rose within the window. Observation-based on purpose:
 * comparing device clocks (lastStartTimeUtc) with the agent's would trust the device's clock.
 */
export interface StabilityState {
  count: number;
  stableForMs: number;
  /** The last rise, when it happened within the window. */
  rose?: { from: number; to: number; at: number };
}

export class RestartTracker {
  private readonly seen = new Map<string, { count: number; since: number; rose?: { from: number; to: number; at: number } }>();

  constructor(private readonly windowMs: number) {}

  observe(key: string, count: number | undefined, now: number): StabilityState {
    const c = typeof count === 'number' && Number.isFinite(count) ? count : 0;
    let s = this.seen.get(key);
    if (!s) {
      s = { count: c, since: now };
      this.seen.set(key, s);
    } else if (c !== s.count) {
      // A lower count means the agent (or device) restarted and counts again from 0: a new baseline, not a rise.
      if (c > s.count) s.rose = { from: s.rose && now - s.rose.at < this.windowMs ? s.rose.from : s.count, to: c, at: now };
      s.count = c;
      s.since = now;
    }
    const rose = s.rose && now - s.rose.at < this.windowMs ? s.rose : undefined;
    return { count: c, stableForMs: now - s.since, rose };
  }

  isStable(st: StabilityState): boolean {
    return !st.rose && st.stableForMs >= this.windowMs;
  }
}
