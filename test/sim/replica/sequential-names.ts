import type { Violations } from './violations.js';

interface Named {
  readonly name: string;
  readonly counter: number;
  readonly czxid: bigint;
}

/**
 * Every sequential name the clients were given, by parent. Names are unique per parent, and in
 * creation order (czxid) their counters strictly increase (deletes do not give a counter back).
 */
export class SequentialNames {
  private readonly byParent = new Map<string, Map<string, Named>>();

  constructor(private readonly violations: Violations) {}

  get count(): number {
    let total = 0;
    for (const names of this.byParent.values()) total += names.size;
    return total;
  }

  /** A sequential create of `requested` succeeded as `path`, with the created node's czxid. */
  record(requested: string, path: string, czxid: bigint): void {
    if (!path.startsWith(requested) || path.length !== requested.length + 10) {
      this.violations.report(`sequential create of ${requested} answered ${path}: not the requested prefix plus a 10-digit counter`);
      return;
    }
    const counter = Number(path.slice(-10));
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    let names = this.byParent.get(parent);
    if (names === undefined) {
      names = new Map();
      this.byParent.set(parent, names);
    }
    const earlier = names.get(path);
    if (earlier !== undefined && earlier.czxid !== czxid) {
      this.violations.report(`sequential name ${path} given twice: created at czxid 0x${earlier.czxid.toString(16)} and 0x${czxid.toString(16)}`);
      return;
    }
    names.set(path, { name: path, counter, czxid });
  }

  /** Checks, per parent, that counters increase with czxid. */
  checkOrder(): void {
    for (const [parent, names] of this.byParent) {
      const sorted = [...names.values()].sort((a, b) => (a.czxid < b.czxid ? -1 : a.czxid > b.czxid ? 1 : 0));
      for (let i = 1; i < sorted.length; i++) {
        const before = sorted[i - 1]!;
        const after = sorted[i]!;
        if (after.czxid === before.czxid) {
          this.violations.report(`sequential names ${before.name} and ${after.name} under ${parent} share czxid 0x${after.czxid.toString(16)}`);
        } else if (after.counter <= before.counter) {
          this.violations.report(`sequential names under ${parent} go back: ${before.name} (czxid 0x${before.czxid.toString(16)}) then ${after.name} (czxid 0x${after.czxid.toString(16)})`);
        }
      }
    }
  }
}
