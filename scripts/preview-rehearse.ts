// `npm run preview:rehearse` — an offline rehearsal of a Vercel preview deployment on a new
// Neon branch: a fresh database stands in for the branch, the real build command runs with
// VERCEL_ENV=preview (migrating over the "unpooled" URL while the "pooled" one is unreachable,
// which proves the build itself never touches the database), the server runs on the neon
// driver through a local wsproxy, a smoke test walks the API, and everything is torn down.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { signUp } from "../tools/accounts";
import { startWsProxy } from "../tools/neon-wsproxy";
import { freePort, startNextServer, type NextServer } from "../tools/next-server";

const SECRET = "preview-rehearsal-secret-0123456789abcdef";
const PRODUCTION_HOST = "ep-production-db.us-east-2.aws.neon.tech";
const steps: [string, string][] = [];

function step(name: string, detail = "ok") {
  steps.push([name, detail]);
  console.log(`✓ ${name}${detail === "ok" ? "" : ` — ${detail}`}`);
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

// Asynchronous: the wsproxy the migration connects through runs in this process's event loop.
function vercelBuild(env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("npm", ["run", "--silent", "vercel-build"], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

async function smoke(base: string) {
  const json = { "content-type": "application/json" };
  const health = await fetch(`${base}/api/health`);
  const healthBody = (await health.json()) as { driver: string; migrations: string };
  check(health.status === 200 && healthBody.driver === "neon" && healthBody.migrations === "up_to_date", `health: ${JSON.stringify(healthBody)}`);
  step("health", `driver ${healthBody.driver}, migrations ${healthBody.migrations}`);

  const { token } = await signUp(base, { name: "Preview" });
  step("sign up");
  const auth = { ...json, authorization: `Bearer ${token}` };

  const created = await fetch(`${base}/api/tasks`, { method: "POST", headers: auth, body: JSON.stringify({ title: "Preview task" }) });
  const task = (await created.json()) as { id: number };
  check(created.status === 201 && created.headers.get("location") === `/api/tasks/${task.id}`, `create: ${created.status}`);
  step("create", `task ${task.id}`);

  const list = (await (await fetch(`${base}/api/tasks`, { headers: auth })).json()) as { items: { id: number }[] };
  check(list.items.some((item) => item.id === task.id), "list does not contain the new task");
  step("list");

  const patched = await fetch(`${base}/api/tasks/${task.id}`, { method: "PATCH", headers: auth, body: JSON.stringify({ completed: true }) });
  check(patched.status === 200 && ((await patched.json()) as { completed: boolean }).completed, `patch: ${patched.status}`);
  step("patch");

  const deleted = await fetch(`${base}/api/tasks/${task.id}`, { method: "DELETE", headers: auth });
  check(deleted.status === 204, `delete: ${deleted.status}`);
  step("delete");

  const gone = await fetch(`${base}/api/tasks/${task.id}`, { headers: auth });
  check(gone.status === 404 && gone.headers.get("x-error-code") === "TASK_NOT_FOUND", `404: ${gone.status}`);
  step("404 after delete");

  const anonymous = await fetch(`${base}/api/tasks`);
  check(anonymous.status === 401 && anonymous.headers.get("www-authenticate") === "Bearer", `401: ${anonymous.status}`);
  step("401 without a token");
}

const clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-rehearsal-"));
let server: NextServer | undefined;
let proxy: Awaited<ReturnType<typeof startWsProxy>> | undefined;
let exitCode = 0;
try {
  // 1. A fresh database, standing in for the Neon branch the integration creates.
  const serverUrl = execFileSync("bash", ["scripts/pg-cluster.sh", "start", clusterDir], { encoding: "utf8" }).trim();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query("create database preview_rehearsal");
  await admin.end();
  const branchUrl = serverUrl.replace(/\/postgres$/, "/preview_rehearsal");
  const closedPort = await freePort();
  const unreachable = `postgres://postgres@127.0.0.1:${closedPort}/pooled_endpoint_is_unreachable_during_build`;
  proxy = await startWsProxy();
  step("fresh branch database", branchUrl);

  // 2a. The guard: a preview build pointed at the production host refuses to migrate.
  const guarded = await vercelBuild({
    VERCEL_ENV: "preview",
    DATABASE_URL: unreachable,
    DATABASE_URL_UNPOOLED: branchUrl,
    PRODUCTION_DATABASE_HOST: "127.0.0.1",
  });
  check(guarded.status !== 0 && /Refusing to migrate/.test(guarded.stderr), `guard did not refuse:\n${guarded.stdout}\n${guarded.stderr}`);
  step("production-host guard refuses", guarded.stderr.trim().split("\n").at(-1)!);

  // 2b. The real build command, as Vercel runs it on a pull request.
  const build = await vercelBuild({
    VERCEL_ENV: "preview",
    DATABASE_URL: unreachable,
    DATABASE_URL_UNPOOLED: branchUrl,
    DATABASE_DRIVER: "neon",
    NEON_WS_PROXY: proxy.address,
    PRODUCTION_DATABASE_HOST: PRODUCTION_HOST,
    BETTER_AUTH_SECRET: SECRET,
  });
  check(build.status === 0, `vercel-build failed:\n${build.stdout.slice(-3000)}\n${build.stderr.slice(-3000)}`);
  check(/applying migrations on 127\.0\.0\.1/.test(build.stdout), "vercel-build did not migrate");
  step("vercel-build", "migrated over the unpooled URL, built with the pooled one unreachable");

  // 3. The preview deployment: neon driver through the wsproxy, Vercel's URLs for Better Auth.
  const port = await freePort();
  server = await startNextServer(
    {
      DATABASE_URL: branchUrl,
      DATABASE_DRIVER: "neon",
      NEON_WS_PROXY: proxy.address,
      VERCEL_ENV: "preview",
      VERCEL_URL: `127.0.0.1:${port}`,
      VERCEL_BRANCH_URL: `localhost:${port}`,
      BETTER_AUTH_SECRET: SECRET,
    },
    { port },
  );
  step("next start (neon driver)", server.url);

  // 4. Smoke test.
  await smoke(server.url);
  console.log(`\npreview rehearsal passed: ${steps.length} steps`);
} catch (error) {
  exitCode = 1;
  console.error(`\npreview rehearsal FAILED: ${error instanceof Error ? error.message : String(error)}`);
  if (server) console.error(server.output().slice(-4000));
} finally {
  // 5. Tear it all down.
  await server?.stop();
  await proxy?.close();
  execFileSync("bash", ["scripts/pg-cluster.sh", "stop", clusterDir]);
}
process.exit(exitCode);
