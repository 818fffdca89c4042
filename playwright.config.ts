import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { findChromium } from "./scripts/find-chromium";

// End-to-end tests of the admin page in a real Chromium against the production build
// (`next build` must have run: `npm test` does it). Any Chromium will do: Playwright's own if
// it was ever installed, else CHROMIUM_PATH, else the system's (scripts/find-chromium.ts, which
// `npm run test:e2e` runs first to install one or say how to get one).
//
// This file is loaded by the runner and again by every worker process. Only the runner starts
// the web server, so only the runner creates the fresh database directory, once per run.
const isWorker = process.env.TEST_WORKER_INDEX !== undefined;
const port = Number(process.env.E2E_PORT ?? 3300);
// `localhost`, not 127.0.0.1: Next builds request.url from the host it was started with, and the
// API's same-origin check for cookie writes compares the browser's Origin with that.
const host = "localhost";
const baseURL = `http://${host}:${port}`;

let databaseUrl = "pglite:memory";
if (!isWorker) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-e2e-"));
  databaseUrl = `pglite:${path.join(dataDir, "db")}`;
  // Removed when the runner exits, after the web server has been stopped.
  process.once("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));
}

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"]],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: findChromium()?.path,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    // The product as `npm start` runs it (one process on PGlite), idle connections kept 65 s:
    // Playwright's request client reuses them without heeding `Keep-Alive: timeout`, and with
    // Node's 5 s a request sent just as the server closed one failed with ECONNRESET (seen in CI).
    command: `npm start --silent -- -p ${port} -H ${host}`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      BETTER_AUTH_SECRET: "e2e-test-secret-at-least-thirty-two-characters-long",
      DATABASE_URL: databaseUrl,
      // Every journey signs up its own users, all from 127.0.0.1: more than the production
      // sign-up limit (AUTH_RATE_LIMIT_MAX per minute) allows. No journey tests that limit.
      AUTH_RATE_LIMIT_ENABLED: "false",
    },
  },
});
