import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNextServer, type NextServer } from "@/tools/next-server";

// The reader of a server's output goes away (a log pipe closed, the parent that read it
// killed): each write then fails with EPIPE. Unheard, that failure was an uncaught exception
// that Next printed to the same broken stderr, over and over: the process spun at full CPU for
// good, writing (seen after a killed CI run). lib/log.ts now drops what it cannot write.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-log-reader-"));
let server: NextServer;

beforeAll(async () => {
  server = await startNextServer({ DATABASE_URL: `pglite:${dataDir}/db`, AUTH_RATE_LIMIT_ENABLED: "false" });
});

afterAll(async () => {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The write system calls the process has made so far (Linux's /proc/<pid>/io). */
function writeCalls(pid: number): number {
  return Number(/^syscw: (\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, "utf8"))![1]);
}

describe.runIf(process.platform === "linux")("a server whose output nobody reads any more", () => {
  it("goes on serving, and stops writing once its lines cannot be written", async () => {
    server.process.stdout!.destroy();
    server.process.stderr!.destroy();

    // An info line (the request) and a warning (Better Auth's, on stderr), both into the void.
    const signIn = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "nobody@example.com", password: "not the password" }),
    });
    expect(signIn.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const before = writeCalls(server.process.pid!);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Looping, it made hundreds of writes a second; idle, it makes none.
    expect(writeCalls(server.process.pid!) - before).toBeLessThan(20);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});
