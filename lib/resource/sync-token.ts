import { encodeOpaque, opaqueSchema } from "@/lib/resource/cursor";

// A position in a user's change feed (lib/tasks/changes.ts): the (change number, id) the client
// has seen everything up to, and when the token was issued, which decides whether the
// tombstones it needs are still kept. Opaque to clients, like cursors.

export interface SyncToken {
  seq: number;
  id: number;
  /** Unix seconds. */
  issuedAt: number;
}

export const SYNC_TOKEN_MAX = 64;

export const encodeSyncToken = ({ seq, id, issuedAt }: SyncToken) => encodeOpaque([seq, id, issuedAt]);

function readSyncToken(values: unknown[]): SyncToken | undefined {
  if (values.length !== 3 || !values.every((value) => Number.isSafeInteger(value) && (value as number) >= 0)) return undefined;
  const [seq, id, issuedAt] = values as number[];
  return { seq: seq!, id: id!, issuedAt: issuedAt! };
}

export const syncTokenSchema = opaqueSchema(
  SYNC_TOKEN_MAX,
  { description: "`sync_token` from your previous sync (opaque)", example: "WzQyLDcsMTc5NjQyMjQwMF0" },
  readSyncToken,
  "is not a sync token returned by this API",
);
