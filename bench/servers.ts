import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../tools/next-server";

// Starting and stopping the processes under test. Each one is a child of the bench, so its CPU
// can be read from /proc for its whole process tree.

export const BENCH_AUTH_SECRET = "bench-secret-of-at-least-thirty-two-characters";

export interface Server {
  name: string;
  url: string;
  /** The process the bench started: for a server in several processes, their node:cluster primary. */
  pid: number;
  /** How many processes serve requests: the primary's node:cluster workers, or 1 for a single process. */
  processes: number;
  output(): string;
  stop(): Promise<void>;
}

let logDirectory: string | undefined;
let nodeBinary = process.execPath;

/** The Node binary every server, the baseline and the proxy run on (--node); the bench's own by default. */
export function setNodeBinary(binary: string) {
  nodeBinary = binary;
}

/** `process.version` of the servers' Node, and its path. */
export function serverRuntime(): { node: string; binary: string } {
  return { node: execFileSync(nodeBinary, ["-p", "process.version"], { encoding: "utf8" }).trim(), binary: nodeBinary };
}

/** Where servers write their stdout and stderr (files, so that the bench spends no CPU reading them). */
export function setLogDirectory(directory: string) {
  fs.mkdirSync(directory, { recursive: true });
  logDirectory = directory;
}

function spawnLogged(name: string, command: string, args: string[], env: Record<string, string | undefined>): { child: ChildProcess; output: () => string } {
  logDirectory ??= fs.mkdtempSync(path.join(os.tmpdir(), "task-api-bench-logs-"));
  const file = path.join(logDirectory, `${name.replace(/[^\w.-]+/g, "_")}-${Date.now()}.log`);
  const fd = fs.openSync(file, "a");
  const child = spawn(command, args, { env: env as NodeJS.ProcessEnv, stdio: ["ignore", fd, fd] });
  fs.closeSync(fd);
  const output = () => {
    try {
      const text = fs.readFileSync(file, "utf8");
      return text.length > 20_000 ? `…${text.slice(-20_000)}` : text;
    } catch {
      return "";
    }
  };
  return { child, output };
}

function stopper(child: ChildProcess, timeoutMs = 15_000) {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
  };
}

async function waitUntil(url: string, child: ChildProcess, output: () => string, accept: (status: number) => boolean, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before answering ${url}:\n${output()}`);
    }
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (accept(response.status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url} within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface NextOptions {
  name: string;
  env: Record<string, string | undefined>;
  /** Server processes (WEB_CONCURRENCY); 1 on PGlite, which allows no more. */
  processes: number;
  waitFor?: string;
  /** Directory for V8 CPU profiles of every server process (bench/cpu-profile.cjs); none when undefined. */
  cpuProfileDir?: string;
}

/**
 * The existing build served as `npm start` serves it (scripts/start.ts: `next start` in
 * WEB_CONCURRENCY processes on one port through node:cluster), with its own environment, in
 * production mode. Resolves once every process listens.
 */
export async function startNext(root: string, options: NextOptions): Promise<Server> {
  const port = await freePort();
  const profiler = options.cpuProfileDir && {
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${JSON.stringify(path.join(root, "bench", "cpu-profile.cjs"))}`].filter(Boolean).join(" "),
    BENCH_CPU_PROFILE_DIR: options.cpuProfileDir,
  };
  const env = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
    // Settings the bench's own environment might carry that would change what is measured.
    DATABASE_DRIVER: undefined,
    NEON_WS_PROXY: undefined,
    BETTER_AUTH_URL: undefined,
    BENCH_FLOOR: undefined,
    ...options.env,
    WEB_CONCURRENCY: String(options.processes),
    ...profiler,
  };
  // npm start is `exec node --import tsx scripts/start.ts`: the same, on the Node that --node names.
  const { child, output } = spawnLogged(options.name, nodeBinary, ["--import", "tsx", path.join(root, "scripts", "start.ts"), "-p", String(port), "-H", "127.0.0.1"], env);
  const stop = stopper(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(url + (options.waitFor ?? "/api/health"), child, output, (status) => status === 200);
    await waitForEveryProcess(child, output, options.processes);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: options.name, url, pid: child.pid!, processes: options.processes, output, stop };
}

/**
 * Until each of the `count` Next processes has said it listens ("Ready in …" right after its
 * listen): node:cluster hands connections only to processes that listen, so the first answer
 * may come while the others are still starting.
 */
async function waitForEveryProcess(child: ChildProcess, output: () => string, count: number, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  const ready = () => output().match(/Ready in /g)?.length ?? 0;
  while (ready() < count) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    if (Date.now() > deadline) throw new Error(`${ready()} of ${count} server processes ready within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A TypeScript entry point run by node with tsx's loader, which prints "listening on <port|host:port>". */
export async function startScript(
  root: string,
  name: string,
  script: string,
  env: Record<string, string | undefined>,
): Promise<{ server: Server; address: string }> {
  const { child, output } = spawnLogged(name, nodeBinary, ["--import", "tsx", path.join(root, script)], { ...process.env, ...env });
  const stop = stopper(child);
  let address: string | undefined;
  const deadline = Date.now() + 30_000;
  while (!address) {
    address = /listening on (\S+)/.exec(output())?.[1];
    if (address) break;
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${script} did not start:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /^\d+$/.test(address) ? `http://127.0.0.1:${address}` : `http://${address}`;
  return { server: { name, url, pid: child.pid!, processes: 1, output, stop }, address };
}

/** The bare node:http + pg baseline in `processes` processes on one port (node:cluster, as npm start). */
export async function startBaseline(root: string, databaseUrl: string, processes: number): Promise<Server> {
  const port = await freePort();
  const { server } = await startScript(root, "baseline", "bench/baseline/start.ts", {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    WEB_CONCURRENCY: String(processes),
    BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
    NODE_ENV: "production",
  });
  return { ...server, processes };
}
