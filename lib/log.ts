// Plain JSON lines on stdout/stderr: Vercel and most log pipelines parse them as-is,
// and there is nothing here yet that a logging library would add.
function describe(error: unknown) {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack, cause: describeCause(error.cause) };
  }
  return { message: String(error) };
}

function describeCause(cause: unknown): unknown {
  return cause === undefined ? undefined : describe(cause);
}

export function logError(message: string, error: unknown, fields: Record<string, unknown> = {}) {
  console.error(JSON.stringify({ time: new Date().toISOString(), level: "error", message, ...fields, error: describe(error) }));
}

export function logInfo(message: string, fields: Record<string, unknown> = {}) {
  console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", message, ...fields }));
}
