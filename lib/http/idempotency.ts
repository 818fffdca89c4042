import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Attachment, Caller, OwnedRow, OwnedStatement } from "@/lib/auth/caller";
import { violates } from "@/lib/db/constraints";
import { idempotencyKeys } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";

// Idempotency-Key on creates (draft-ietf-httpapi-idempotency-key-header, with Stripe's
// semantics). The first successful answer is recorded by the create's own statement and replayed
// to the same user's retries for REPLAY_HOURS; a key reused for another request is refused; a
// retry sent while the first request runs waits for it, then replays it. Errors change nothing
// and record nothing, so the key stays usable. State is in PostgreSQL: retries may reach any
// instance, any time.

export const IDEMPOTENCY_KEY_MAX = 255;
export const REPLAY_HOURS = 24;
const RETRY_AFTER_SECONDS = "1";

const KEY = new RegExp(`^[\\x20-\\x7e]{1,${IDEMPOTENCY_KEY_MAX}}$`);

/** The request's Idempotency-Key, or undefined without one; malformed: 400. */
export function idempotencyKeyOf(request: Request): string | undefined {
  const key = request.headers.get("idempotency-key");
  if (key === null) return undefined;
  if (!KEY.test(key)) {
    throw new ApiError("VALIDATION_ERROR", undefined, {
      errors: [{ path: "Idempotency-Key", message: `must be 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters` }],
    });
  }
  return key;
}

/**
 * What makes two requests "the same": method, path and the validated body. The validated body
 * lists its fields in the schema's order with values normalized (e.g. a due date's offset), so
 * two spellings of one request agree and the client's key order does not matter.
 */
export function fingerprintOf(method: string, path: string, body: unknown): string {
  return createHash("sha256").update(JSON.stringify([method, path, body ?? null])).digest("hex");
}

export interface Claim {
  key: string;
  fingerprint: string;
}

/** The name of the key records' primary key: violated when the key already has a record. */
const RECORD_KEY = "idempotency_keys_user_id_key_pk";

/** Errors that answer the request whether or not the key has a record: the credentials' verdict. */
const VERDICTS = new Set(["UNAUTHORIZED", "FORBIDDEN", "RATE_LIMITED"]);

const [key, fingerprint] = [sql.placeholder("idempotencyKey"), sql.placeholder("fingerprint")];

// The record of a first answer, written by the create's own statement: the create's rows, from
// which its handler builds the answer again on a retry. A key that already has a record makes the
// statement fail (RECORD_KEY), creating nothing; a concurrent first request's record is waited for
// by PostgreSQL's unique index, so the retry then finds it. Also prunes two expired records (never
// this key's, which the lookup removes): bounded work per create, which keeps the table at about
// a day of keys without a scheduled job.
const recordOf = (claim: Claim): Attachment => ({
  key: "idempotency.record",
  values: { idempotencyKey: claim.key, fingerprint: claim.fingerprint },
  build: (owner) => sql`pruned as (
      delete from ${idempotencyKeys} where (user_id, key) in (
        select user_id, key from ${idempotencyKeys}
        where expires_at < now() and not (user_id = ${owner} and key = ${key}::text)
        order by expires_at limit 2 for update skip locked)),
    recorded as (
      insert into ${idempotencyKeys} (user_id, key, fingerprint, result, expires_at)
      select ${owner}, ${key}::text, ${fingerprint}::text, (select json_agg(d)::text from d), now() + make_interval(hours => ${REPLAY_HOURS})
      where exists (select from d))`,
});

/** A live record, as the lookup returns it. */
interface StoredRecord {
  fingerprint: string;
  result: string | null;
  // The answer itself, in a record written before `result` existed (drizzle/0006).
  status: number | null;
  body: string | null;
  headers: Record<string, string> | null;
}

// The key's live record, as JSON text in `item`; an expired one is removed, so that the key can
// record again.
const lookup: OwnedStatement = {
  key: "idempotency.lookup",
  build: (owner) => sql`expired as (
      delete from ${idempotencyKeys} where user_id = ${owner} and key = ${key}::text and expires_at <= now()),
    d as (select row_to_json(k)::text as item from (
      select fingerprint, result, status, body, headers from ${idempotencyKeys}
      where user_id = ${owner} and key = ${key}::text and expires_at > now()) as k)`,
};

async function liveRecord(caller: Caller, claim: Claim): Promise<StoredRecord | undefined> {
  const [row] = await caller.rows(lookup, { idempotencyKey: claim.key });
  return row && (JSON.parse(row.item!) as StoredRecord);
}

const replayed = (response: Response) => {
  response.headers.set("Idempotent-Replayed", "true");
  return response;
};

/**
 * Runs a create under an Idempotency-Key. Its statement also records its rows, so that no crash
 * leaves a created item without its record or the reverse: a first request costs no round trip
 * more than a create without a key. Only when the statement fails is the key's record looked for
 * (another statement): a retry replays it, and its answer wins over the create's own refusal (a
 * list name the first request took). The handler must make one statement, its create.
 */
export async function idempotently(caller: Caller, claim: Claim, create: (caller: Caller) => Promise<Response>): Promise<Response> {
  if (caller.judged) throw new Error("idempotently: the create must be the request's first statement");
  // A second attempt follows only the removal of an expired record.
  for (let attempt = 1; ; attempt++) {
    try {
      return await caller.attaching(recordOf(claim), () => create(caller));
    } catch (error) {
      const keyTaken = violates(error, RECORD_KEY);
      if (!keyTaken && !(error instanceof ApiError && !VERDICTS.has(error.code))) throw error;
      const stored = await liveRecord(caller, claim);
      if (stored) {
        if (stored.fingerprint !== claim.fingerprint) throw new ApiError("IDEMPOTENCY_KEY_REUSED");
        if (stored.result === null) return replayed(new Response(stored.body, { status: stored.status!, headers: stored.headers! }));
        return replayed(await caller.replaying(JSON.parse(stored.result) as OwnedRow[], () => create(caller)));
      }
      if (!keyTaken) throw error;
      if (attempt === 2) throw new ApiError("IDEMPOTENCY_KEY_IN_USE", undefined, { headers: { "Retry-After": RETRY_AFTER_SECONDS } });
    }
  }
}
