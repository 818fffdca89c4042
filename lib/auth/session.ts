import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import { db, type Database } from "@/lib/db";
import { sessions, users } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";
import { countUnauthenticated, currentWindow, enforce, limitState, upsertCounter, type RateLimitState } from "@/lib/rate-limit";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export interface Authenticated {
  user: SessionUser;
  via: "bearer" | "cookie";
  /** Set when the request was counted against the user's write limit. */
  writeLimit?: RateLimitState;
}

const SESSION_COOKIES = ["__Secure-better-auth.session_token", "better-auth.session_token"];
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,255}$/;

function decode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

// Better Auth signs the cookie as `token.base64(HMAC-SHA256(secret, token))`.
function verifySigned(value: string): string | null {
  const dot = value.lastIndexOf(".");
  if (dot <= 0) return null;
  const token = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), "base64");
  const expected = createHmac("sha256", env().BETTER_AUTH_SECRET).update(token).digest();
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : null;
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session token from `Authorization: Bearer` (raw or signed) or the session cookie. */
export function sessionToken(request: Request): { token: string; via: Authenticated["via"] } | null {
  const authorization = request.headers.get("authorization");
  let token: string | null = null;
  if (authorization !== null) {
    const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
    const value = match?.[1] ? decode(match[1]) : null;
    token = value && value.includes(".") ? verifySigned(value) : value;
  } else {
    const cookies = request.headers.get("cookie") ?? "";
    const raw = SESSION_COOKIES.map((name) => cookieValue(cookies, name)).find(Boolean);
    const value = raw ? decode(raw) : null;
    token = value ? verifySigned(value) : null;
  }
  if (!token || !TOKEN_SHAPE.test(token)) return null;
  return { token, via: authorization !== null ? "bearer" : "cookie" };
}

// The lookup runs on every authenticated read, so it is built once per database client and
// executed as a named prepared statement.
function prepareLookup(database: Database) {
  return database
    .select({ id: users.id, email: users.email, name: users.name })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.token, sql.placeholder("token")), gt(sessions.expiresAt, sql`now()`)))
    .limit(1)
    .prepare("session_user");
}

const lookups = new WeakMap<Database, ReturnType<typeof prepareLookup>>();

async function findUser(token: string): Promise<SessionUser | undefined> {
  const database = await db();
  let lookup = lookups.get(database);
  if (!lookup) {
    lookup = prepareLookup(database);
    lookups.set(database, lookup);
  }
  const [user] = await lookup.execute({ token });
  return user;
}

// The same lookup, also counting the request against the user's write limit: still one
// statement, so a write costs one query for auth and one for the data.
async function findUserCountingWrite(token: string) {
  const { RATE_LIMIT_WINDOW_S: windowSeconds, RATE_LIMIT_WRITES_MAX: max } = env();
  const window = currentWindow(windowSeconds);
  type Row = { id: string; email: string; name: string; count: number };
  const result = await (await db()).execute<Row>(sql`
    with s as (
      select u.id, u.email, u.name from ${sessions} se join ${users} u on u.id = se.user_id
      where se.token = ${token} and se.expires_at > now() limit 1
    ), c as (${upsertCounter(sql`select 'user:' || s.id, ${window}::bigint, 1 from s`)})
    select s.id, s.email, s.name, (select count from c) as count from s`);
  const row = (result as unknown as { rows: Row[] }).rows[0];
  if (!row) return undefined;
  const count = Number(row.count);
  return { user: { id: row.id, email: row.email, name: row.name }, count, state: limitState(count, max, window, windowSeconds) };
}

/**
 * The signed-in user, in one query: the session row joined to its user, still unexpired.
 * No cache, so a signed-out or deleted session fails on the very next request. Requests
 * without valid credentials count against their IP's limit.
 */
export async function authenticate(request: Request, { countWrite = false } = {}): Promise<Authenticated> {
  const credentials = sessionToken(request);
  if (credentials && countWrite) {
    const found = await findUserCountingWrite(credentials.token);
    if (found) {
      enforce(found.state, found.count);
      return { user: found.user, via: credentials.via, writeLimit: found.state };
    }
  } else if (credentials) {
    const user = await findUser(credentials.token);
    if (user) return { user, via: credentials.via };
  }
  await countUnauthenticated(request);
  throw new ApiError("UNAUTHORIZED", credentials ? "Session is invalid, expired or signed out" : undefined);
}
