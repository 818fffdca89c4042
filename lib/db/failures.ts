// Errors that mean "the database cannot be reached or did not answer in time" and that a
// client should retry, as opposed to bugs. Drivers wrap them differently (drizzle puts the
// driver's error in `cause`, pg-pool and the neon driver throw plain Errors), so we walk the
// cause chain and look at codes first and a few well-known messages last.
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "EAI_AGAIN",
]);

// SQLSTATE: 08 connection exceptions, 57014 statement timeout / cancel, 57P0x shutdown or
// starting up, 53300 too many connections.
const UNAVAILABLE_SQLSTATE = /^(08...|57014|57P0[1-4]|53300)$/;

const UNAVAILABLE_MESSAGES = [
  "timeout exceeded when trying to connect",
  "connection terminated",
  "connection timeout",
  "client has encountered a connection error",
  "database query timed out",
  "websocket",
];

export class DatabaseTimeoutError extends Error {
  override name = "DatabaseTimeoutError";
  constructor() {
    super("database query timed out");
  }
}

/**
 * Node's http server fails a request body with `Error("aborted")`, code ECONNRESET, when the
 * client goes away in the middle of sending it. The code is the same as a database socket's
 * reset, but the fault is the client's: lib/http/body.ts answers it as an incomplete body, and
 * should one get past that it is still not a database outage.
 */
export function isClientAbort(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === "object" && current !== null && depth < 8; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === "ECONNRESET" && message === "aborted") return true;
    current = cause;
  }
  return false;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (current instanceof DatabaseTimeoutError) return true;
    if (typeof current === "object") {
      if (isClientAbort(current)) return false; // walks the rest of the chain itself
      const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
      if (typeof code === "string" && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
      if (typeof message === "string") {
        const lower = message.toLowerCase();
        if (UNAVAILABLE_MESSAGES.some((text) => lower.includes(text))) return true;
      }
      if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
      current = cause;
    } else {
      return false;
    }
  }
  return false;
}
