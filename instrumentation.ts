// Runs once when a server process starts (never during `next build`): configuration is
// validated here so that a bad deployment fails at startup with every problem named, and an
// embedded database is opened (locked) and migrated before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { ConfigError, env } = await import("@/lib/env");
  try {
    const { resolveDriver } = await import("@/lib/db/driver");
    if (resolveDriver(env()) !== "pglite") return;
    const { database } = await import("@/lib/db");
    await database();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Next logs a failed register() and keeps serving; a misconfigured server must not.
    console.error(error.message);
    process.exit(1);
  }
}
