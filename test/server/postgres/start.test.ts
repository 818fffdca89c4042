import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { startNextServer, type NextServer } from "@/tools/next-server";

// `npm start` (scripts/start.ts): server processes on one port, each drained on SIGTERM.
const running: NextServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop("SIGKILL")));
});

/** The pids of a process's children whose command line contains `command`. */
const childrenOf = (pid: number, command: string) =>
  execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(command))
    .map((line) => Number.parseInt(line, 10));

describe("npm start", () => {
  it("serves from WEB_CONCURRENCY processes on one port and drains every one of them on SIGTERM, exiting 0", async () => {
    const server = await startNextServer({ DATABASE_URL: process.env.TEST_DATABASE_URL!, WEB_CONCURRENCY: "2" }, { npmStart: true });
    running.push(server);
    // tsx runs the script in a child of its own (beside its esbuild service); the script's
    // children are the server processes, which Next names next-server.
    const [primary] = childrenOf(server.process.pid!, "scripts/start.ts");
    expect(childrenOf(primary!, "next-server")).toHaveLength(2);
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/api/health`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));

    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.output().match(/shutdown: database closed/g)).toHaveLength(2);
  });

  it("refuses more than one process on PGlite, naming WEB_CONCURRENCY", async () => {
    const failure = await startNextServer({ DATABASE_URL: "pglite:memory", WEB_CONCURRENCY: "2" }, { npmStart: true }).then(
      (server) => {
        running.push(server);
        return "started";
      },
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/exited with 1[\s\S]*WEB_CONCURRENCY: 2, but PGlite/);
  });
});
