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
  return value as Record<string, unknown>;
}
