import { execFileSync } from "node:child_process";
import fs from "node:fs";

// CPU time of whole process trees, from /proc/<pid>/stat. For each live process in the tree we
// add utime + stime (its own CPU) and cutime + cstime (its reaped children's), so a PostgreSQL
// backend that exits during a run still counts: its time moves into the postmaster's cutime.

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface ProcStat {
  pid: number;
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // exited meanwhile
  }
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(fields[n - 3]); // n = field number in proc(5)
  return { pid, ppid: field(4), ticks: field(14) + field(15) + field(16) + field(17) };
}

function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** The given processes and all their live descendants. */
export function processTree(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of allProcesses()) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/** CPU milliseconds (user + system) used so far by the trees under `roots`. */
export function treeCpuMs(roots: number[]): number {
  let ticks = 0;
  for (const pid of processTree(roots)) ticks += readStat(pid)?.ticks ?? 0;
  return (ticks * 1000) / clockTicks();
}

export function loadAverage(): string {
  try {
    return fs.readFileSync("/proc/loadavg", "utf8").trim();
  } catch {
    return "n/a";
  }
}

/**
 * Waits until the trees under `roots` are idle (under 10% of one CPU for 200 ms): the requests
 * still in flight when a load run stopped have been answered. Gives up after `timeoutMs`.
 */
export async function quiesce(roots: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = treeCpuMs(roots);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = treeCpuMs(roots);
    if (now - before < 20) return;
    before = now;
  }
}
