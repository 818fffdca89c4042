import { ApiError } from "@/lib/errors";

export const MAX_BODY_BYTES = 64 * 1024;

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

async function readLimited(request: Request): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE");
  if (!request.body) return new Uint8Array();
  // Counted while streaming, so a chunked body without Content-Length cannot get past the limit.
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new ApiError("PAYLOAD_TOO_LARGE");
    }
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
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
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
