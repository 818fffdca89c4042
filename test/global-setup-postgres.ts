import type { TestProject } from "vitest/node";
import { parseEnv } from "@/lib/env";
import { migrateDatabase } from "@/lib/db/drivers";
import { startWsProxy } from "@/tools/neon-wsproxy";

declare module "vitest" {
  export interface ProvidedContext {
    neonWsProxy: string;
  }
}

// Runs once per project in the main process: migrates the shared test database (under the
// advisory lock, so the pg and neon projects can both do it at once) and, for the neon
// project, starts the WebSocket proxy its driver connects through.
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is required for the pg and neon projects");
  await migrateDatabase(parseEnv({ NODE_ENV: "test", DATABASE_URL: url, DATABASE_DRIVER: "pg" }));
  if (project.name !== "neon") return;
  const proxy = await startWsProxy();
  project.provide("neonWsProxy", proxy.address);
  return () => proxy.close();
}
