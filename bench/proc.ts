import { execFileSync } from "node:child_process";
import fs from "node:fs";

// CPU time of whole process trees, from /proc/<pid>/stat. For each live process in the tree we
// add utime + stime (its own CPU) and cutime + cstime (its reaped children's), so a PostgreSQL
// backend that exits during a run still counts: its time moves into the postmaster's cutime. A
// server started as `npm start` is a tree too: the node:cluster primary and its worker processes.

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

/** /proc/<pid>/stat of the given processes and all their live descendants. */
function treeStats(roots: number[]): ProcStat[] {
  const stats = allProcesses();
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of stats) {
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
  return [...seen].flatMap((pid) => byPid.get(pid) ?? []);
}

/** The given processes and all their live descendants. */
export function processTree(roots: number[]): number[] {
  return treeStats(roots).map(({ pid }) => pid);
}

export interface ProcessCpu {
  pid: number;
  /** CPU milliseconds (user + system) used so far, its reaped children's included. */
  cpuMs: number;
}

/**
 * Every live process of the trees under `roots` with its CPU so far (for a server run as
 * `npm start`: the node:cluster primary, its workers and whatever they started).
 */
export function treeCpu(roots: number[]): ProcessCpu[] {
  const msPerTick = 1000 / clockTicks();
  return treeStats(roots).map(({ pid, ticks }) => ({ pid, cpuMs: ticks * msPerTick }));
}

/** CPU milliseconds (user + system) used so far by the trees under `roots`, every process summed. */
export function treeCpuMs(roots: number[]): number {
  return treeCpu(roots).reduce((sum, { cpuMs }) => sum + cpuMs, 0);
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

export interface ServerCpu {
  /** Every process of the tree, the primary included. */
  totalMs: number;
  /** The node:cluster workers (the processes that serve), in pid order, with their share of the workers' CPU. */
  workers: { pid: number; cpuMs: number; share: number }[];
}

/**
 * Whether a process is a node:cluster worker, which node starts with NODE_UNIQUE_ID in its
 * environment. The primary has other children too: tsx's loader runs an esbuild service.
 */
function isClusterWorker(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").some((entry) => entry.startsWith("NODE_UNIQUE_ID="));
  } catch {
    return false; // exited meanwhile
  }
}

/** The CPU a server used between two readings of its tree (`treeCpu([primary])`). */
export function cpuBetween(before: ProcessCpu[], after: ProcessCpu[]): ServerCpu {
  const sum = (list: { cpuMs: number }[]) => list.reduce((total, { cpuMs }) => total + cpuMs, 0);
  const earlier = new Map(before.map(({ pid, cpuMs }) => [pid, cpuMs]));
  const used = after
    .filter(({ pid }) => isClusterWorker(pid))
    .map(({ pid, cpuMs }) => ({ pid, cpuMs: cpuMs - (earlier.get(pid) ?? 0) }))
    .sort((a, b) => a.pid - b.pid);
  const workersMs = sum(used);
  return { totalMs: sum(after) - sum(before), workers: used.map((worker) => ({ ...worker, share: workersMs > 0 ? worker.cpuMs / workersMs : 0 })) };
}
