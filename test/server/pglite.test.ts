import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signUp as signUpOver } from "@/tools/accounts";
import { startNextServer, type NextServer } from "@/tools/next-server";

// Durability and the one-process rule of the embedded database, on real `next start` processes.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-pglite-"));
const env = { DATABASE_URL: `pglite:${dataDir}/db` };
const running: NextServer[] = [];

async function start() {
  const server = await startNextServer(env);
  running.push(server);
  return server;
}

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop("SIGKILL")));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("embedded PGlite under next start", () => {
  it("keeps a task that got its 201 across kill -9 and a restart, replays its create, and refuses a second process", async () => {
    const first = await start();
    const { token } = await signUpOver(first.url);
    const auth = { authorization: `Bearer ${token}` };
    const create = (url: string) =>
      fetch(`${url}/api/tasks`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json", "idempotency-key": "survives-a-crash" },
        body: JSON.stringify({ title: "survives a crash" }),
      });
    const created = await create(first.url);
    expect(created.status).toBe(201);
    const createdBody = await created.text();
    const task = JSON.parse(createdBody) as { id: number };

    await first.stop("SIGKILL");
    const second = await start();
    const fetched = await fetch(`${second.url}/api/tasks/${task.id}`, { headers: auth });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({ id: task.id, title: "survives a crash" });
    // A client whose answer was lost in the crash retries: it gets that answer, not a second task.
    const retried = await create(second.url);
    expect(retried.status).toBe(201);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(await retried.text()).toBe(createdBody);

    const intruder = await startNextServer(env).then(
      (server) => {
        running.push(server);
        return "started";
      },
      (error: Error) => error.message,
    );
    expect(intruder).toMatch(/exited with 1[\s\S]*in use by process \d+/);

    const after = await fetch(`${second.url}/api/tasks?limit=100`, { headers: auth });
    expect(((await after.json()) as { items: unknown[] }).items).toHaveLength(1);
  });
});
