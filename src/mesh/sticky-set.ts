/**
 * A set whose members stay for `graceMs` after they were last named: the link plan may drop a
 * peer for a moment (a presence update on its way, a configuration change being replicated)
 * without the link going down and coming back.
 */
export class StickySet {
  private readonly lastNamedMs = new Map<string, number>();

  constructor(private readonly graceMs: number) {}

  /** Names the current members; returns every member named within the grace period, sorted. */
  update(named: Iterable<string>, nowMs: number): string[] {
    for (const member of named) this.lastNamedMs.set(member, nowMs);
    for (const [member, lastMs] of [...this.lastNamedMs]) if (nowMs - lastMs > this.graceMs) this.lastNamedMs.delete(member);
    return [...this.lastNamedMs.keys()].sort();
  }
}
