import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { Precluded, type Caller, type OwnedRow, type OwnedStatement, type Precondition } from "@/lib/auth/caller";
import { idempotencyKeys } from "@/lib/db/schema";
import { run, statement } from "@/lib/db/statement";
import { ApiError } from "@/lib/errors";

// Idempotency-Key on creates (draft-ietf-httpapi-idempotency-key-header, with Stripe's
// semantics). The first successful answer is stored in the create's own transaction and replayed
// to the same user's retries for REPLAY_HOURS; a key reused for another request is refused; a
// key whose first request is still running answers 409. Errors change nothing and store nothing,
// so the key stays usable. State is in PostgreSQL: retries may reach any instance, any time.

export const IDEMPOTENCY_KEY_MAX = 255;
export const REPLAY_HOURS = 24;
const RETRY_AFTER_SECONDS = "1";
/** What a replay repeats besides the status and the body. */
const REPLAYED_HEADERS = ["content-type", "location", "etag"];

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

/** A record of a first answer, as the create's statement returns it. */
interface StoredAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
  fingerprint: string;
}

function replay(stored: StoredAnswer): Response {
  return new Response(stored.body, { status: stored.status, headers: { ...stored.headers, "Idempotent-Replayed": "true" } });
}

// The lock, taken by the statement that checks the caller (and counts the write), so that it
// costs no round trip of its own. That statement's count holds the user's write counter until
// the transaction ends: a concurrent request with the same key waits there, then finds the
// record and replays it; 409 remains for a lock held without the counter.
const lockStatement: OwnedStatement = {
  key: "idempotency.lock",
  build: (owner) => sql`d as (select '' as item, pg_try_advisory_xact_lock(hashtextextended(${owner} || ' ' || ${sql.placeholder("key")}::text, 0)) as held)`,
};

// The key's live record, as JSON text, for the create's statement (Caller.provided): it creates
// nothing when there is one, and the record comes back in the same round trip.
const recorded = (key: string): Precondition => ({
  key: "idempotency.recorded",
  blocker: (owner) => sql`select row_to_json(k)::text from (
      select status, body, headers, fingerprint from ${idempotencyKeys}
      where user_id = ${owner} and key = ${sql.placeholder("key")} and expires_at > now()) as k`,
  values: { key },
});

// The record of a first answer. Also prunes two expired records (never this key's): bounded work
// per create, which keeps the table at about a day of keys without a scheduled job.
const record = () => {
  const [userId, key] = [sql.placeholder("userId"), sql.placeholder("key")];
  return sql`
    with pruned as (
      delete from ${idempotencyKeys} where (user_id, key) in (
        select user_id, key from ${idempotencyKeys}
        where expires_at < now() and not (user_id = ${userId} and key = ${key})
        order by expires_at limit 2 for update skip locked))
    insert into ${idempotencyKeys} (user_id, key, fingerprint, status, body, headers, expires_at)
    values (${userId}, ${key}, ${sql.placeholder("fingerprint")}, ${sql.placeholder("status")}, ${sql.placeholder("body")},
            ${sql.placeholder("headers")}::jsonb, now() + make_interval(hours => ${REPLAY_HOURS}))
    on conflict (user_id, key) do update set
      fingerprint = excluded.fingerprint, status = excluded.status, body = excluded.body,
      headers = excluded.headers, created_at = now(), expires_at = excluded.expires_at`;
};

/**
 * Runs a create under an Idempotency-Key, in one transaction with the record of its answer: no
 * crash leaves a created item without its record or the reverse. A transaction-scoped advisory
 * lock on (user, key) is taken first; the record is looked for by the create's own statement,
 * after the lock is held, so that it sees a first request that committed while this one waited.
 */
export function idempotently(caller: Caller, claim: Claim, create: (caller: Caller) => Promise<Response>): Promise<Response> {
  const { key, fingerprint } = claim;
  return caller.transaction(async (transaction) => {
    const [lock] = await caller.rows<OwnedRow & { held: boolean }>(lockStatement, { key });
    if (!lock?.held) throw new ApiError("IDEMPOTENCY_KEY_IN_USE", undefined, { headers: { "Retry-After": RETRY_AFTER_SECONDS } });

    let response: Response;
    try {
      response = await caller.provided(recorded(key), () => create(caller));
    } catch (error) {
      if (!(error instanceof Precluded)) throw error;
      const stored = JSON.parse(error.blocker) as StoredAnswer;
      if (stored.fingerprint !== fingerprint) throw new ApiError("IDEMPOTENCY_KEY_REUSED");
      return replay(stored);
    }
    if (!response.ok) return response;
    const body = await response.text();
    const headers = Object.fromEntries(REPLAYED_HEADERS.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name)!]] : [])));
    await run(transaction, statement("idempotency.record", record), {
      userId: caller.userId,
      key,
      fingerprint,
      status: response.status,
      body,
      headers: JSON.stringify(headers),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  });
}
