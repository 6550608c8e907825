import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the machine's CPU went during a run: per process group (one process, optionally with its descendants, or
 * every process whose command line mentions a string, such as the Postgres backends serving one database), plus
 * whatever else ran on the machine meanwhile, so a reader can tell a slow service from a busy neighbour.
 * Linux only (/proc); elsewhere the report says so.
 */
export type CpuGroup = { pid: number; descendants: boolean } | { commandLineIncludes: string };
export type CpuGroups = Record<string, CpuGroup>;
export type CpuSample = Map<string, number>;

interface ProcStat {
  pid: number;
  parent: number;
  commandLine: string;
  cpuMs: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on
const MACHINE = '(machine)';

function readProcesses(): ProcStat[] {
  const processes: ProcStat[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      // After "pid (comm) ": state ppid … utime (14th field of the line) stime (15th).
      const fields = stat.slice(close + 2).split(' ');
      processes.push({
        pid: Number(pid),
        parent: Number(fields[1]),
        // Postgres backends rewrite theirs to "postgres: user database host state".
        commandLine: readFileSync(`/proc/${pid}/cmdline`, 'utf8'),
        cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
      });
    } catch {
      // exited meanwhile
    }
  }
  return processes;
}

/** Busy (not idle, not iowait) CPU milliseconds of the whole machine since boot. */
function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user! + nice! + system! + irq! + softirq! + steal!) * TICK_MS;
}

/** CPU milliseconds used so far by each group's live processes, and by the machine. */
export function sampleCpu(groups: CpuGroups): CpuSample | null {
  let processes: ProcStat[];
  try {
    processes = readProcesses();
  } catch {
    return null;
  }
  const children = new Map<number, ProcStat[]>();
  for (const proc of processes) children.set(proc.parent, [...(children.get(proc.parent) ?? []), proc]);
  const byPid = new Map(processes.map((proc) => [proc.pid, proc]));
  const sample: CpuSample = new Map([[MACHINE, machineBusyMs()]]);
  for (const [name, group] of Object.entries(groups)) {
    let members: ProcStat[];
    if ('commandLineIncludes' in group)
      members = processes.filter((proc) => proc.commandLine.includes(group.commandLineIncludes));
    else {
      members = [];
      const stack = [byPid.get(group.pid)].filter((proc): proc is ProcStat => proc !== undefined);
      while (stack.length > 0) {
        const proc = stack.pop()!;
        members.push(proc);
        if (group.descendants) stack.push(...(children.get(proc.pid) ?? []));
      }
    }
    sample.set(
      name,
      members.reduce((sum, proc) => sum + proc.cpuMs, 0),
    );
  }
  return sample;
}

/** CPU used by each group between two samples, in milliseconds; `other processes` is the rest of the machine. */
export function cpuUsed(before: CpuSample | null, after: CpuSample | null): Map<string, number> | null {
  if (!before || !after) return null;
  const used = new Map([...after.keys()].map((name) => [name, after.get(name)! - before.get(name)!]));
  const ours = [...used].filter(([name]) => name !== MACHINE).reduce((sum, [, ms]) => sum + ms, 0);
  used.set('other processes', Math.max(0, used.get(MACHINE)! - ours));
  used.delete(MACHINE);
  return used;
}

/** "api 61 % (4.1 ms), postgres 52 % (3.5 ms), …": share of one core, and milliseconds per unit of work. */
export function describeCpu(used: Map<string, number> | null, elapsedMs: number, units: number): string {
  if (!used) return 'not available (needs /proc)';
  return [...used]
    .map(([name, ms]) => `${name} ${Math.round((100 * ms) / elapsedMs)} % (${(ms / Math.max(1, units)).toFixed(1)} ms)`)
    .join(', ');
}

/**
 * How many units of work per second every core of the machine could sustain at the CPU cost just measured for the
 * benchmark's own processes (neighbours excluded): the ceiling no tuning of concurrency can pass.
 */
export function cpuCeiling(used: Map<string, number> | null, units: number, cores: number): string {
  if (!used || units === 0) return 'not available';
  const ours = [...used].filter(([name]) => name !== 'other processes').reduce((sum, [, ms]) => sum + ms, 0) / units;
  return `${ours.toFixed(1)} ms of CPU per unit → at most ${Math.floor((cores * 1000) / ours)}/s on ${cores} cores`;
}
