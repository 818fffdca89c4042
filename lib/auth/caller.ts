import { sql, type SQL } from "drizzle-orm";
import { credentialsOf, type Credentials } from "@/lib/auth/session";
import { db, openedDb, type Database } from "@/lib/db";
import { apikeys, sessions, users } from "@/lib/db/schema";
import { run, statement } from "@/lib/db/statement";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";
import { countUnauthenticated, currentWindow, enforce, limitState, upsertCounter, type RateLimitState } from "@/lib/rate-limit";

// The signed-in caller of an API operation, checked in the same statement that reads or writes
// their data: one round trip per request, and no cache, so a signed-out session, a revoked or
// expired key and a deleted user fail on the very next request, on every instance.
//
// A statement of the caller's data is written against `owner`, the caller's id as SQL. The first
// one a request runs is prefixed with the credentials' lookup (`p`) and, for a write, the count
// against the user's write limit (`c`); `owner` is then the id only if the write may proceed
// (`allowed`), so that a refused write changes nothing. Its one result row also says why not: no valid
// credentials (401), a read-only key (403), over the limit (429). Later statements of the request
// name the user by id. A statement may carry an Attachment, a write of its own on the statement's
// rows (the record of an idempotent create), which then costs no round trip either.

/**
 * A statement of the caller's rows: `build(owner, qb)` defines the CTE `d` (and any CTE it
 * needs before it), whose rows have a non-null `item` and, when `ordered`, their order in `n`.
 * `key` names its shape: it is compiled once per shape.
 */
export interface OwnedStatement {
  key: string;
  build: (owner: SQL, qb: Database) => SQL;
  ordered?: boolean;
}

const credential = sql.placeholder("credential");

// The principal behind an API key: the key must be enabled and unexpired and its owner must
// exist (keys are deleted with their user). `last_request` is refreshed at most once a minute,
// in the same statement, so a busy key is not rewritten on every request.
const keyPrincipal = sql`p as (
    select u.id, coalesce(k.permissions::jsonb -> 'tasks' @> '["write"]', false) as can_write, k.id as key_id
    from ${apikeys} k join ${users} u on u.id = k.reference_id
    where k.key = ${credential} and k.enabled and (k.expires_at is null or k.expires_at > now()) limit 1
  ), touched as (
    update ${apikeys} set last_request = now() where id = (select key_id from p)
      and (last_request is null or last_request < now() - interval '1 minute') returning 1
  )`;

const sessionPrincipal = sql`p as (
    select u.id, true as can_write from ${sessions} se join ${users} u on u.id = se.user_id
    where se.token = ${credential} and se.expires_at > now() limit 1
  )`;

// A read-scoped key's write is refused (403) without using up the user's writes.
const writeCounted = sql`, c as (${upsertCounter(sql`select 'user:' || p.id, ${sql.placeholder("window")}::bigint, 1 from p where p.can_write`)}),
  allowed as (select p.id from p join c on true where c.count <= ${sql.placeholder("max")})`;

/**
 * A write that rides along a statement of the caller's data (Caller.attaching): `build(owner)`
 * defines CTEs after `d`, which may use its rows. It commits or fails with them.
 */
export interface Attachment {
  /** Names its shape, with the statement's own key. */
  key: string;
  build: (owner: SQL) => SQL;
  values: Record<string, unknown>;
}

const attached = (attachment: Attachment | undefined, owner: SQL) => (attachment ? sql`, ${attachment.build(owner)}` : sql``);

function checked(kind: Credentials["kind"], write: boolean, data: OwnedStatement | undefined, attachment: Attachment | undefined, qb: Database): SQL {
  const owner = write ? sql`(select id from allowed)` : sql`(select id from p)`;
  return sql`with ${kind === "api-key" ? keyPrincipal : sessionPrincipal}${write ? writeCounted : sql``}${data ? sql`, ${data.build(owner, qb)}` : sql``}${attached(attachment, owner)}
    select p.id as caller, p.can_write, ${write ? sql`(select count from c)` : sql`null::integer`} as writes${data ? sql`, d.*` : sql``}
    from (values (0)) as one (x) left join p on true${data ? sql` left join d on true` : sql``}${data?.ordered ? sql` order by d.n` : sql``}`;
}

const knownOwner = sql`${sql.placeholder("owner")}::text`;

function byId(data: OwnedStatement, attachment: Attachment | undefined, qb: Database): SQL {
  return sql`with ${data.build(knownOwner, qb)}${attached(attachment, knownOwner)} select d.* from d${data.ordered ? sql` order by d.n` : sql``}`;
}

interface Verdict {
  caller: string | null;
  can_write: boolean | null;
  writes: number | null;
}

export interface OwnedRow {
  item: string | null;
}

/** What Caller.attaching or Caller.replaying applies to the one statement their work runs. */
interface StatementScope {
  attachment?: Attachment;
  replay?: OwnedRow[];
  ran: boolean;
}

export class Caller {
  /** The user's id, once a statement has checked the credentials. */
  userId?: string;
  /** Set when the request was counted against the user's write limit. */
  writeLimit?: RateLimitState;
  /** Whether the credentials have been judged (accepted or refused). */
  judged = false;

  private constructor(
    private readonly request: Request,
    private readonly credentials: Credentials | null,
    /** Whether the request is a write: counted against the user's limit, refused to read-only keys. */
    private readonly write: boolean,
  ) {}

  private scope?: StatementScope;

  /** The caller of a request, not yet checked. */
  static of(request: Request, write: boolean): Caller {
    return new Caller(request, credentialsOf(request), write);
  }

  /** How the caller authenticated; a write by cookie is also held to the CSRF rule. */
  get via(): "bearer" | "cookie" | "api-key" | undefined {
    return this.credentials?.kind === "session" ? this.credentials.via : this.credentials?.kind;
  }

  /** Runs `work`, which makes one statement of the caller's data: `attachment` is part of it. */
  attaching<T>(attachment: Attachment, work: () => Promise<T>): Promise<T> {
    return this.within({ attachment, ran: false }, work);
  }

  /**
   * Runs `work`, which makes one statement of the caller's data, with `rows` as that statement's
   * rows: it is not run. For a caller whose credentials were already checked.
   */
  replaying<T>(rows: OwnedRow[], work: () => Promise<T>): Promise<T> {
    if (this.userId === undefined) throw new Error("Caller.replaying: the credentials must be checked first");
    return this.within({ replay: rows, ran: false }, work);
  }

  private async within<T>(scope: StatementScope, work: () => Promise<T>): Promise<T> {
    this.scope = scope;
    try {
      return await work();
    } finally {
      this.scope = undefined;
    }
  }

  /** The rows of a statement of the caller's data, with the credentials checked in the same statement if not yet. */
  async rows<Row extends OwnedRow>(data: OwnedStatement, values: Record<string, unknown>): Promise<Row[]> {
    const scope = this.scope;
    if (scope) {
      if (scope.ran) throw new Error(`Caller: ${data.key} is a second statement where one is expected`);
      scope.ran = true;
      if (scope.replay) return scope.replay as Row[];
    }
    const attachment = scope?.attachment;
    const database = openedDb() ?? (await db());
    if (this.userId !== undefined) {
      const query = statement(`by-id:${data.key}:${attachment?.key ?? "-"}`, () => byId(data, attachment, database));
      return run<Row>(database, query, { ...values, ...attachment?.values, owner: this.userId });
    }
    const rows = await this.check(database, data, attachment, { ...values, ...attachment?.values });
    return (rows as unknown as Row[]).filter((row) => row.item !== null);
  }

  /** Checks the credentials (and counts a write) on their own: a statement with no data. */
  async id(): Promise<string> {
    if (this.userId === undefined) await this.check(await db(), undefined, undefined, {});
    return this.userId!;
  }

  private async check(database: Database, data: OwnedStatement | undefined, attachment: Attachment | undefined, values: Record<string, unknown>): Promise<Verdict[]> {
    const credentials = this.credentials;
    if (!credentials) return this.refuse();
    const { RATE_LIMIT_WINDOW_S: windowSeconds, RATE_LIMIT_WRITES_MAX: max } = env();
    const window = currentWindow(windowSeconds);
    const query = statement(`${credentials.kind}:${this.write ? "write" : "read"}:${data?.key ?? "-"}:${attachment?.key ?? "-"}`, () =>
      checked(credentials.kind, this.write, data, attachment, database),
    );
    const value = credentials.kind === "api-key" ? credentials.hash : credentials.token;
    const rows = await run<Verdict>(database, query, { ...values, credential: value, ...(this.write ? { window, max } : {}) });
    const verdict = rows[0];
    if (!verdict?.caller) return this.refuse();
    this.judged = true;
    this.userId = verdict.caller;
    if (this.write && !verdict.can_write) throw new ApiError("FORBIDDEN", "This API key has the read scope; writes need a read-write key");
    if (this.write) {
      const count = Number(verdict.writes);
      this.writeLimit = limitState(count, max, window, windowSeconds);
      enforce(this.writeLimit, count);
    }
    return rows;
  }

  // Requests without valid credentials count against their IP's limit.
  private async refuse(): Promise<never> {
    this.judged = true;
    await countUnauthenticated(this.request);
    const detail = this.credentials?.kind === "api-key" ? "API key is invalid, expired or revoked" : "Session is invalid, expired or signed out";
    throw new ApiError("UNAUTHORIZED", this.credentials ? detail : undefined);
  }
}
