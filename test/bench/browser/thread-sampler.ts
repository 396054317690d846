import { clockTicksPerSecond, processCommand, processIds, readStat, threadIds } from './proc-stat.js';

/**
 * CPU time of every Chromium thread on this machine, grouped by process type and thread name, over
 * a window (Linux /proc; empty elsewhere). Where a workload's time goes outside JavaScript: the
 * IndexedDB backend's thread pool in the browser process, the network service's I/O thread that
 * carries WebRTC's UDP, the renderers' WebRTC and I/O threads, the replica workers.
 */
export interface ThreadGroupCpu {
  /** 'browser', 'renderer', 'utility:NetworkService', … */
  readonly process: string;
  /** The thread's name with trailing digits dropped (ThreadPoolForegroundWorker, DedicatedWorker thread, …). */
  readonly thread: string;
  /** Percent of one core over the window. */
  readonly cpuPercent: number;
}

type Sample = Map<string, { readonly process: string; readonly thread: string; readonly ticks: number }>;

function processType(command: string): string {
  const type = /--type=([a-z-]+)/.exec(command)?.[1];
  if (type === undefined) return 'browser';
  const sub = /--utility-sub-type=([A-Za-z.]+)/.exec(command)?.[1];
  return sub === undefined ? type : `${type}:${sub.split('.').pop() ?? sub}`;
}

interface ProcessInfo {
  readonly command: string;
  readonly parent: string;
}

/** Chromium processes by pid: those of the browsers using `profileDirs` and their descendants (every Chromium when empty). */
function chromiumProcesses(profileDirs: readonly string[]): Map<string, ProcessInfo> {
  const all = new Map<string, ProcessInfo>();
  for (const pid of processIds()) {
    const command = processCommand(pid);
    const stat = readStat(`/proc/${pid}/stat`);
    if (command !== null && stat !== null) all.set(pid, { command, parent: stat.parent });
  }
  const isChromium = (info: ProcessInfo) => /chrom(e|ium)/.test(info.command.split(' ')[0] ?? '');
  const roots = new Set([...all].filter(([, info]) => isChromium(info) && (profileDirs.length === 0 || profileDirs.some((dir) => info.command.includes(`--user-data-dir=${dir}`)))).map(([pid]) => pid));
  const chosen = new Map<string, ProcessInfo>();
  for (const [pid, info] of all) {
    if (!isChromium(info)) continue;
    // Walk up to a root (at most a few levels: browser, zygote, renderer).
    let at: string | undefined = pid;
    for (let depth = 0; at !== undefined && depth < 8; depth++) {
      if (roots.has(at)) {
        chosen.set(pid, info);
        break;
      }
      at = all.get(at)?.parent;
    }
  }
  return chosen;
}

function sample(profileDirs: readonly string[]): Sample {
  const threads: Sample = new Map();
  for (const [pid, info] of chromiumProcesses(profileDirs)) {
    const type = processType(info.command);
    for (const tid of threadIds(pid)) {
      const stat = readStat(`/proc/${pid}/task/${tid}/stat`);
      if (stat !== null) threads.set(`${pid}/${tid}`, { process: type, thread: stat.name.replace(/\d+$/, ''), ticks: stat.cpuTicks });
    }
  }
  return threads;
}

/**
 * Starts a window over the browsers using `profileDirs` (all Chromium processes when empty); the
 * returned function ends it and gives the groups, busiest first.
 */
export function startThreadSampling(profileDirs: readonly string[] = []): () => ThreadGroupCpu[] {
  const before = sample(profileDirs);
  const startedMs = performance.now();
  return () => {
    const after = sample(profileDirs);
    const seconds = (performance.now() - startedMs) / 1000;
    const ticksPerSecond = clockTicksPerSecond();
    const groups = new Map<string, ThreadGroupCpu>();
    for (const [key, end] of after) {
      // A thread that started within the window counts from 0.
      const startTicks = before.get(key)?.ticks ?? 0;
      const group = `${end.process}\n${end.thread}`;
      const cpuPercent = ((end.ticks - startTicks) / ticksPerSecond / seconds) * 100;
      const sum = groups.get(group)?.cpuPercent ?? 0;
      groups.set(group, { process: end.process, thread: end.thread, cpuPercent: sum + cpuPercent });
    }
    return [...groups.values()].filter((g) => g.cpuPercent > 0).sort((a, b) => b.cpuPercent - a.cpuPercent);
  };
}
