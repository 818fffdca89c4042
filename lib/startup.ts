import { drivers, resolveDriver } from "@/lib/db/drivers";
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
    // A server's pool connects on the first query; an embedded database is opened now, so that
    // a second process on its directory is refused at startup rather than on a request.
    if (drivers[resolveDriver(config)].kind !== "embedded") return;
    const { databaseHandle } = await import("@/lib/db");
    await databaseHandle();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Next logs a failed register() and keeps serving; a misconfigured server must not.
    console.error(error.message);
    process.exit(1);
  }
}
