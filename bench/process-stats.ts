import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU times in clock ticks; 100 per second on every mainstream kernel configuration. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Memory of one process from /proc/<pid>/status, in MiB: resident now and its high-water mark. */
export function readMemory(pid: number): { rssMiB: number; peakRssMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
    return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) one process has used so far, its waited-for children included. */
export function readCpuSeconds(pid: number): number {
  try {
    // The command name (field 2) may hold spaces: the numeric fields start after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // utime, stime, cutime, cstime are fields 14-17 of the whole line: 11-14 after the name.
    const ticks = (fields[11] ?? 0) + (fields[12] ?? 0) + (fields[13] ?? 0) + (fields[14] ?? 0);
    return ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The whole machine's CPU time so far, busy and total, in seconds summed over all cores. */
function readMachineCpu(): { busySeconds: number; totalSeconds: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal ...
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return {
    busySeconds: (total - idle) / CLOCK_TICKS_PER_SECOND,
    totalSeconds: total / CLOCK_TICKS_PER_SECOND,
  };
}

export interface MemoryWatch {
  /** The largest resident size seen since the watch started, in MiB (sampled every `intervalMs`). */
  peakRssMiB(): number;
  stop(): void;
}

/**
 * Samples a process's resident size while a phase runs. VmHWM alone would report the start-up peak
 * (the worker bundles its workflows with webpack when it starts), not what the load costs.
 */
export function watchMemory(pid: number, intervalMs = 250): MemoryWatch {
  let peak = readMemory(pid)?.rssMiB ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, readMemory(pid)?.rssMiB ?? 0);
  }, intervalMs);
  return {
    peakRssMiB: () => Math.max(peak, readMemory(pid)?.rssMiB ?? 0),
    stop: () => clearInterval(timer),
  };
}

/** Processes whose parent is `parentPid` and whose command name is `name` (e.g. sshd's per-connection children). */
export function childProcesses(parentPid: number, name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === parentPid && command === name) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Named sources of cumulative CPU seconds, read together at the start and the end of a phase. */
export type CpuSources = Record<string, () => Promise<number> | number>;

export interface CpuUse {
  seconds: Record<string, number>;
  machineBusySeconds: number;
  /** Busy share of all cores together: 1 is every core busy the whole time. */
  machineBusyShare: number;
}

export interface CpuMeter {
  /** CPU seconds each source, and the whole machine (all cores), used since the meter started. */
  read(): Promise<CpuUse>;
}

export async function startCpuMeter(sources: CpuSources): Promise<CpuMeter> {
  const readAll = async () =>
    Object.fromEntries(
      await Promise.all(Object.entries(sources).map(async ([name, read]) => [name, await read()])),
    );
  const before = await readAll();
  const machineBefore = readMachineCpu();
  return {
    async read() {
      const after = await readAll();
      const machineAfter = readMachineCpu();
      return {
        seconds: Object.fromEntries(Object.keys(sources).map((name) => [name, after[name] - before[name]])),
        machineBusySeconds: machineAfter.busySeconds - machineBefore.busySeconds,
        machineBusyShare:
          (machineAfter.busySeconds - machineBefore.busySeconds) /
          (machineAfter.totalSeconds - machineBefore.totalSeconds),
      };
    },
  };
}
