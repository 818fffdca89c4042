import { env } from "@/lib/env";

// Plain JSON lines on stdout/stderr, one per request and one per error: Vercel and most log
// pipelines parse them as they are, and a logging library would add a dependency and a
// per-request cost for nothing this service uses (no transports, no child loggers).
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, "silent">;

function enabled(level: Level): boolean {
  let configured: keyof typeof LEVELS = "info";
  try {
    configured = env().LOG_LEVEL;
  } catch {
    // Configuration errors are reported by the caller; logging must still work.
  }
  return LEVELS[level] >= LEVELS[configured];
}

// Node writes to files and pipes synchronously, one system call per write: the request lines of
// one turn of the event loop are written together, once it ends (and at exit). Warnings and
// errors go out at once.
let pending = "";

function flush() {
  const lines = pending;
  pending = "";
  if (lines) process.stdout.write(lines);
}

// Once per process, however often `next dev` reloads this module.
const registered = globalThis as typeof globalThis & { taskApiLogFlush?: true };
if (!registered.taskApiLogFlush) {
  registered.taskApiLogFlush = true;
  process.on("exit", () => flush());
  // Once the reader of the output is gone (a log pipe closed, a parent killed), every write
  // fails with EPIPE. Unheard, each failure is an uncaught exception, which Next prints to the
  // same broken stderr, which fails again: a loop at full CPU for as long as the process lives.
  // The server keeps serving; what it can no longer write is dropped.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
}

function write(level: Level, message: string, fields: Record<string, unknown>) {
  if (!enabled(level)) return;
  const line = `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`;
  if (level === "error" || level === "warn") {
    flush();
    process.stderr.write(line);
    return;
  }
  if (!pending) setImmediate(flush);
  pending += line;
}

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  return {
    name: error.name,
    message: error.message,
    code: (error as { code?: unknown }).code,
    stack: error.stack,
    cause: error.cause === undefined ? undefined : describe(error.cause),
  };
}

export function logError(message: string, error: unknown, fields: Record<string, unknown> = {}) {
  write("error", message, { ...fields, error: describe(error) });
}

export function logWarn(message: string, fields: Record<string, unknown> = {}) {
  write("warn", message, fields);
}

export function logInfo(message: string, fields: Record<string, unknown> = {}) {
  write("info", message, fields);
}

type BetterAuthLevel = "debug" | "info" | "warn" | "error";

/**
 * Better Auth's logger, as the same JSON lines: its own output is ANSI-coloured text. Its
 * extra arguments (an error, a context object) are kept as fields; never request bodies.
 */
export function logBetterAuth(level: BetterAuthLevel, message: string, ...args: unknown[]) {
  const fields: Record<string, unknown> = { source: "better-auth" };
  const error = args.find((arg) => arg instanceof Error);
  if (error) fields.error = describe(error);
  const context = args.filter((arg) => !(arg instanceof Error));
  if (context.length > 0) fields.context = context;
  write(level, message, fields);
}
