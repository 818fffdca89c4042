import { z } from "zod";

// A position in a user's change feed (lib/tasks/changes.ts): the (change number, id) the client
// has seen everything up to, and when the token was issued, which decides whether the
// tombstones it needs are still kept. Opaque to clients: base64url of JSON, like cursors.

export interface SyncToken {
  seq: number;
  id: number;
  /** Unix seconds. */
  issuedAt: number;
}

export const SYNC_TOKEN_MAX = 64;

export const encodeSyncToken = ({ seq, id, issuedAt }: SyncToken) => Buffer.from(JSON.stringify([seq, id, issuedAt])).toString("base64url");

function decodeSyncToken(text: string): SyncToken | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, "base64url").toString());
    if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
    if (!parsed.every((value) => Number.isSafeInteger(value) && value >= 0)) return undefined;
    const [seq, id, issuedAt] = parsed as number[];
    const token = { seq: seq!, id: id!, issuedAt: issuedAt! };
    // Only the exact text this API produces.
    return encodeSyncToken(token) === text ? token : undefined;
  } catch {
    return undefined;
  }
}

export const syncTokenSchema = z
  .string()
  .max(SYNC_TOKEN_MAX)
  .meta({ description: "`sync_token` from your previous sync (opaque)", pattern: "^[A-Za-z0-9_-]+$", example: "WzQyLDcsMTc5NjQyMjQwMF0" })
  .transform((text, ctx) => {
    const token = decodeSyncToken(text);
    if (!token) {
      ctx.addIssue({ code: "custom", message: "is not a sync token returned by this API" });
      return z.NEVER;
    }
    return token;
  });
