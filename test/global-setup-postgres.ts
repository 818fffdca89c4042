import type { TestProject } from "vitest/node";
import { parseEnv } from "@/lib/env";
import { migrateDatabase } from "@/lib/db/drivers";
import { startWsProxy } from "@/tools/neon-wsproxy";
import { createWorkerDatabases } from "./worker-databases";

declare module "vitest" {
  export interface ProvidedContext {
    neonWsProxy: string;
  }
}

// Runs once per project in the main process. The pg and neon projects get a database per
// worker (test/worker-databases.ts), the server project the TEST_DATABASE_URL database itself;
// each is migrated under the migrations' advisory lock, so projects can do it at once. For the
// neon project it also starts the WebSocket proxy its driver connects through.
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is required for the pg and neon projects");
  const databases = project.name === "server" ? [url] : await createWorkerDatabases(url, project.name, project.config.maxWorkers);
  for (const database of databases) {
    await migrateDatabase(parseEnv({ NODE_ENV: "test", DATABASE_URL: database, DATABASE_DRIVER: "pg" }));
  }
  if (project.name !== "neon") return;
  const proxy = await startWsProxy();
  project.provide("neonWsProxy", proxy.address);
  return () => proxy.close();
}
