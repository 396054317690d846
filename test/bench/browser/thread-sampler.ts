import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

function sample(): Sample {
  const threads: Sample = new Map();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return threads;
  }
  for (const pid of pids) {
    try {
      // Chromium rewrites its command line into one string: split on NULs and spaces alike.
      const command = readFileSync(`/proc/${pid}/cmdline`).toString().replace(/\0/g, ' ');
      if (!/chrom(e|ium)/.test(command.split(' ')[0] ?? '')) continue;
      const type = processType(command);
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`).toString();
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        threads.set(`${pid}/${tid}`, { process: type, thread: name, ticks: Number(fields[11]) + Number(fields[12]) });
      }
    } catch {
      // The process or thread ended meanwhile.
    }
  }
  return threads;
}

/** Starts a window; the returned function ends it and gives the groups, busiest first. */
export function startThreadSampling(): () => ThreadGroupCpu[] {
  const before = sample();
  const startedMs = performance.now();
  return () => {
    const after = sample();
    const seconds = (performance.now() - startedMs) / 1000;
    let ticksPerSecond = 100;
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      // Linux's usual value.
    }
    const groups = new Map<string, ThreadGroupCpu>();
    for (const [key, end] of after) {
      const start = before.get(key);
      if (start === undefined) continue;
      const group = `${end.process}\n${end.thread}`;
      const cpuPercent = ((end.ticks - start.ticks) / ticksPerSecond / seconds) * 100;
      const sum = groups.get(group)?.cpuPercent ?? 0;
      groups.set(group, { process: end.process, thread: end.thread, cpuPercent: sum + cpuPercent });
    }
    return [...groups.values()].filter((g) => g.cpuPercent > 0).sort((a, b) => b.cpuPercent - a.cpuPercent);
  };
}
