import { resolveDriver } from "@/lib/db/driver";
import { ConfigError, env } from "@/lib/env";
import { installGracefulShutdown } from "@/lib/shutdown";

/**
 * Once per server process, before the first request: validate the configuration (a bad
 * deployment fails here with every problem named), install the SIGTERM drain, and open and
 * migrate an embedded database (which also takes its directory lock).
 */
export async function startServer() {
  try {
    const config = env();
    installGracefulShutdown();
    if (resolveDriver(config) !== "pglite") return;
    const { database } = await import("@/lib/db");
    await database();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Next logs a failed register() and keeps serving; a misconfigured server must not.
    console.error(error.message);
    process.exit(1);
  }
}
