import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Reading Linux's /proc for the benchmarks' CPU figures (floor-bench.ts, thread-sampler.ts). Every
 * reader returns null or an empty list where /proc is missing or the process ended meanwhile.
 */

/** The pids of all processes now. */
export function processIds(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

/** A process's command line with its arguments separated by spaces (Chromium rewrites its own into one string). */
export function processCommand(pid: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`).toString().replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

/** One /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line: its name, parent pid and CPU ticks (user + system). */
export interface ProcStat {
  readonly name: string;
  readonly parent: string;
  readonly cpuTicks: number;
}

/** Reads a stat file (`/proc/<pid>/stat`, `/proc/<pid>/task/<tid>/stat`). */
export function readStat(path: string): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(path).toString();
  } catch {
    return null;
  }
  // The name is in parentheses and may hold spaces; the fields after it start with the state.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), parent: fields[1] ?? '0', cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

/** The thread ids of a process. */
export function threadIds(pid: string): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** Clock ticks per second of the CPU times in /proc (Linux's usual 100 when getconf is missing). */
export function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
}
