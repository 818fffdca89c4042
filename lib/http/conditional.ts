import { ApiError } from "@/lib/errors";

// Conditional requests (RFC 9110 §13) on a versioned item. Its ETag is its version number,
// strong: every successful write gives the item a new one. Written here rather than taken from
// `fresh` (Express's): that one answers only GET freshness, while a write's If-Match must become
// a condition of the write's own SQL statement, so that of N writers holding one ETag exactly
// one succeeds.

export const etagOf = (version: number | string) => `"${version}"`;

// An entity-tag list: `*`, or comma-separated `"opaque"` / `W/"opaque"` (RFC 9110 §8.8.3).
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/** The entity tags of a header, or undefined when it is not a list of them. */
function entityTagsOf(header: string): { weak: boolean; opaque: string }[] | undefined {
  const tags = header.split(",").map((part) => ENTITY_TAG.exec(part.trim()));
  if (!tags.every((match) => match !== null)) return undefined;
  return tags.map((match) => ({ weak: Boolean(match[1]), opaque: match[2]! }));
}

/**
 * The versions an If-Match accepts (strong comparison: a weak tag matches nothing), or
 * undefined when the write is unconditional: no If-Match, or `*` (any current version; a missing
 * item still answers 404, as without the header).
 */
export function ifMatchVersions(request: Request): number[] | undefined {
  const header = request.headers.get("if-match");
  if (header === null || header.trim() === "*") return undefined;
  const tags = entityTagsOf(header);
  // A write's condition is never ignored: a malformed one would make the write unconditional.
  if (!tags) throw new ApiError("VALIDATION_ERROR", undefined, { errors: [{ path: "If-Match", message: 'must be * or a list of entity tags such as "42"' }] });
  return tags.filter((tag) => !tag.weak && /^[0-9]{1,15}$/.test(tag.opaque)).map((tag) => Number(tag.opaque));
}

/**
 * Whether If-None-Match names this ETag (weak comparison) or is `*`: the client's copy is
 * current. A malformed header is ignored, as caches do: at worst the client gets the full answer.
 */
export function ifNoneMatchHolds(request: Request, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (header === null) return false;
  if (header.trim() === "*") return true;
  const opaque = etag.slice(1, -1);
  return entityTagsOf(header)?.some((tag) => tag.opaque === opaque) ?? false;
}

/** 304: the client's copy is current. No body; the ETag repeated. */
export const notModified = (etag: string) => new Response(null, { status: 304, headers: { ETag: etag } });
