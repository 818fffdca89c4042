import { ApiError } from "@/lib/errors";
import { logInfo } from "@/lib/log";

export const MAX_BODY_BYTES = 64 * 1024;

// After refusing a streamed body as too large, up to this much more of it is read and thrown
// away, so that a client which keeps sending the rest (most HTTP/1.1 clients finish the upload
// before they look at the answer) gets the 413 on a connection it can keep using. A body longer
// or slower than that gets the 413 with `Connection: close`: Node closes the socket after the
// response, and the client knows not to send its next request on it. Cancelling the stream,
// as this did before, destroyed the socket under a response that said keep-alive, and the
// client's next request failed with ECONNRESET (issue #14).
export const DRAIN_MAX_BYTES = 1024 * 1024;
export const DRAIN_MAX_MS = 2000;

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

// Stateless between calls (no `stream` option), so one instance serves every request.
const UTF8 = new TextDecoder("utf-8", { fatal: true });

const INCOMPLETE_BODY = "Request body ended before it was complete";

/**
 * One chunk of the request body. The body stream fails only when the client goes away in the
 * middle of sending it (Node's "aborted", code ECONNRESET): that is the client's doing, never
 * the database's, so it becomes a 400 here instead of reaching the generic error mapping.
 */
async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>) {
  try {
    return await reader.read();
  } catch (error) {
    logInfo("client aborted the request body", { error: error instanceof Error ? error.message : String(error) });
    throw new ApiError("INVALID_JSON", INCOMPLETE_BODY);
  }
}

/** Reads and discards the rest of a refused body, within bounds; true when it all arrived. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(resolve, DRAIN_MAX_MS, "timeout")));
  let drained = 0;
  try {
    while (drained <= DRAIN_MAX_BYTES) {
      const pending = reader.read();
      // Left pending when the timer wins; the stream errors once Node closes the socket.
      pending.catch(() => {});
      const result = await Promise.race([pending, timeout]);
      if (result === "timeout") return false;
      if (result.done) return true;
      drained += result.value.byteLength;
    }
    return false;
  } catch {
    return false; // the client went away: there is no connection left to keep
  } finally {
    clearTimeout(timer);
  }
}

async function tooLarge(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<never> {
  if (await drain(reader)) throw new ApiError("PAYLOAD_TOO_LARGE");
  throw new ApiError("PAYLOAD_TOO_LARGE", undefined, { headers: { Connection: "close" } });
}

async function readLimited(request: Request): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) {
    // Nothing of it is read: Node itself discards an unread body after the response and keeps
    // the connection, which is fine for a body within the drain bound; a longer one closes it.
    if (Number(declared) - MAX_BODY_BYTES <= DRAIN_MAX_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE");
    throw new ApiError("PAYLOAD_TOO_LARGE", undefined, { headers: { Connection: "close" } });
  }
  if (!request.body) return new Uint8Array();
  // Counted while streaming, so a chunked body without Content-Length cannot get past the limit.
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await readChunk(reader);
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) return tooLarge(reader);
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const isWhitespace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

// No request of this API nests anywhere near this deep; refusing deeper bodies keeps every
// later recursive step (validation, re-serializing for Better Auth) far from the stack limit.
export const MAX_JSON_DEPTH = 32;

interface Structure {
  duplicate?: string;
  tooDeep: boolean;
}

// One pass over an already valid JSON text, tracking the open containers (a key set per
// object) to find a key repeated in one object or nesting deeper than MAX_JSON_DEPTH.
function scan(text: string): Structure {
  const objects: (Set<string> | null)[] = [];
  let previous = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22 /* " */) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      const keys = objects.at(-1);
      if (keys && (previous === 0x7b /* { */ || previous === 0x2c /* , */)) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return { duplicate: key, tooDeep: false };
        keys.add(key);
      }
      i = end;
      previous = 0x22;
      continue;
    }
    if (code === 0x7b || code === 0x5b /* [ */) {
      objects.push(code === 0x7b ? new Set() : null);
      if (objects.length > MAX_JSON_DEPTH) return { tooDeep: true };
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      objects.pop();
    }
    if (!isWhitespace(code)) previous = code;
  }
  return { tooDeep: false };
}

/** The first key that appears twice in one object, if any. */
export function duplicateKey(text: string): string | undefined {
  return scan(text).duplicate;
}

/**
 * What is wrong with the structure of an already valid JSON text: a key that appears twice in
 * one object (JSON.parse silently keeps the last, so `{"completed": false, "completed": true}`
 * would mean whatever the last parser in a chain decides), or nesting deeper than
 * MAX_JSON_DEPTH. Undefined when nothing is.
 */
export function structuralProblem(text: string): string | undefined {
  const { duplicate, tooDeep } = scan(text);
  if (tooDeep) return `Request body is nested deeper than ${MAX_JSON_DEPTH} levels`;
  return duplicate === undefined ? undefined : `Duplicate key in request body: ${JSON.stringify(duplicate).slice(0, 80)}`;
}

/** The request body as a JSON object, or the contract's 413/415/400 when it is not one. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  if (!JSON_MEDIA_TYPE.test(request.headers.get("content-type") ?? "")) throw new ApiError("UNSUPPORTED_MEDIA_TYPE");
  const bytes = await readLimited(request);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new ApiError("INVALID_JSON", "Request body is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError("INVALID_JSON", "Request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError("INVALID_JSON", "Request body must be a JSON object");
  }
  const problem = structuralProblem(text);
  if (problem) throw new ApiError("INVALID_JSON", problem);
  return value as Record<string, unknown>;
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * For bodies handed to code we do not own (Better Auth): every string must be storable in
 * PostgreSQL (no U+0000, no lone surrogates) and no key may name an object's prototype.
 * Task bodies get the same guarantees from their zod schemas.
 */
export function assertPlainData(value: unknown, path = "body"): void {
  if (typeof value === "string") {
    if (value.includes("\u0000") || !value.isWellFormed()) {
      throw new ApiError("VALIDATION_ERROR", undefined, {
        errors: [{ path, message: "must be valid Unicode text without U+0000" }],
      });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => assertPlainData(item, `${path}.${index}`));
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const at = path === "body" ? key : `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) throw new ApiError("VALIDATION_ERROR", undefined, { errors: [{ path: at, message: "Unknown field" }] });
      assertPlainData(key, at);
      assertPlainData(item, at);
    }
  }
}
