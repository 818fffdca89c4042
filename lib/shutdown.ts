import { subscribe } from "node:diagnostics_channel";
import type { Server } from "node:http";
import { closeDatabase } from "@/lib/db";
import { env } from "@/lib/env";
import { logInfo, logWarn } from "@/lib/log";

// In-flight API requests, counted on globalThis because Next bundles route handlers and
// instrumentation separately and each bundle may carry its own copy of this module.
const state = globalThis as typeof globalThis & { taskApiInFlight?: { count: number; idle: (() => void)[]; stopping: boolean } };
const inFlight = (state.taskApiInFlight ??= { count: 0, idle: [], stopping: false });

/**
 * Whether SIGTERM has come. Node's server.close() closes only the connections idle at that
 * moment; a busy keep-alive connection would go on taking requests, so the process would never
 * drain behind a load balancer that reuses connections. Answers say `Connection: close` from
 * then on (lib/http/route.ts), and each connection ends after its current request.
 */
export const isStopping = () => inFlight.stopping;

export async function tracked<T>(run: () => Promise<T>): Promise<T> {
  inFlight.count++;
  try {
    return await run();
  } finally {
    if (--inFlight.count === 0) for (const resolve of inFlight.idle.splice(0)) resolve();
  }
}

function drained(timeoutMs: number): Promise<boolean> {
  if (inFlight.count === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    inFlight.idle.push(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Node's server.close(), which Next calls on SIGTERM, closes only the connections idle at that
 * moment. One whose answer is still being written goes idle later and stays open for the
 * keep-alive time (65 s under npm start), holding the process past its drain. So from SIGTERM
 * on, each connection is closed as soon as its answer is written.
 */
function closeConnectionsAsTheyGoIdle() {
  subscribe("http.server.response.finish", (message) => {
    const { server } = message as { server: Server };
    setImmediate(() => server.closeIdleConnections());
  });
}

/**
 * On SIGTERM Next itself stops accepting connections, lets in-flight responses finish and
 * then exits with 143. Alongside it, this waits for the API requests already running, closes
 * the database pool, and makes the exit status 0 when that drain was clean (1 when requests
 * were still running after the timeout), so that a graceful stop reads as a success.
 */
export function installGracefulShutdown() {
  if (process.env.NEXT_MANUAL_SIG_HANDLE) return;
  const drainTimeoutMs = env().SHUTDOWN_DRAIN_TIMEOUT_MS;
  process.once("SIGTERM", () => {
    inFlight.stopping = true;
    closeConnectionsAsTheyGoIdle();
    const exit = process.exit.bind(process);
    const shutdown = (async () => {
      logInfo("shutdown: draining", { in_flight: inFlight.count });
      const clean = await drained(drainTimeoutMs);
      if (!clean) logWarn("shutdown: requests still running after the drain timeout", { in_flight: inFlight.count });
      await closeDatabase().catch(() => {});
      logInfo("shutdown: database closed");
      return clean;
    })();
    // Next calls process.exit once its HTTP server has closed; hold that exit until the pool is closed too.
    process.exit = ((code?: number) => {
      void shutdown.then((clean) => exit(clean && (code === 143 || code === 0 || code === undefined) ? 0 : 1));
    }) as typeof process.exit;
  });
}
