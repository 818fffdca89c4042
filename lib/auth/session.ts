import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import { db, type Database } from "@/lib/db";
import { apikeys, sessions, users } from "@/lib/db/schema";
import { rowsOf } from "@/lib/db/rows";
import { apiKeyOf, hashApiKey } from "@/lib/auth/api-keys";
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
  via: "bearer" | "cookie" | "api-key";
  /** False only for a read-scoped API key. */
  canWrite: boolean;
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

// Better Auth signs the cookie as `token.base64(HMAC-SHA256(secret, token))`, padded. Only that
// exact text is accepted: decoding the signature first would let other spellings of the same
// bytes (a changed padding character, an appended one) through.
export function verifySigned(value: string): string | null {
  const dot = value.lastIndexOf(".");
  if (dot <= 0) return null;
  const token = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(createHmac("sha256", env().BETTER_AUTH_SECRET).update(token).digest("base64"));
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : null;
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The Cookie header without session cookies whose signature is not exactly right, for Better
 * Auth's own endpoints, which decode the signature leniently before comparing it.
 */
export function withoutForgedSessionCookies(header: string): string {
  return header
    .split(";")
    .filter((part) => {
      const eq = part.indexOf("=");
      if (eq <= 0 || !SESSION_COOKIES.includes(part.slice(0, eq).trim())) return true;
      const value = decode(part.slice(eq + 1).trim());
      return value !== null && verifySigned(value) !== null;
    })
    .join(";");
}

/** The credential in `Authorization: Bearer` (raw, with `%`-escapes or not), or null. */
export function bearerCredential(request: Request): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization === null) return null;
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
  return match?.[1] ? decode(match[1]) : null;
}

type Credentials =
  | { kind: "session"; token: string; via: "bearer" | "cookie" }
  | { kind: "api-key"; hash: string };

/**
 * The request's credentials: an API key (`x-api-key`, or a bearer value with the key prefix),
 * else the session token from `Authorization: Bearer` (raw or signed) or the session cookie.
 */
function credentialsOf(request: Request): Credentials | null {
  const bearer = bearerCredential(request);
  const key = apiKeyOf(request, bearer);
  if (key !== null) return key ? { kind: "api-key", hash: hashApiKey(key) } : null;
  let token: string | null;
  if (request.headers.has("authorization")) {
    token = bearer && bearer.includes(".") ? verifySigned(bearer) : bearer;
  } else {
    const cookies = request.headers.get("cookie") ?? "";
    const raw = SESSION_COOKIES.map((name) => cookieValue(cookies, name)).find(Boolean);
    const value = raw ? decode(raw) : null;
    token = value ? verifySigned(value) : null;
  }
  if (!token || !TOKEN_SHAPE.test(token)) return null;
  return { kind: "session", token, via: request.headers.has("authorization") ? "bearer" : "cookie" };
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

// The principal behind an API key: the key must be enabled and unexpired and its owner must
// exist (keys are deleted with their user). `last_request` is refreshed at most once a minute,
// in the same statement, so a busy key is not rewritten on every request.
function keyPrincipal(hash: string) {
  return sql`p as (
      select u.id, u.email, u.name, coalesce(k.permissions::jsonb -> 'tasks' @> '["write"]', false) as can_write, k.id as key_id
      from ${apikeys} k join ${users} u on u.id = k.reference_id
      where k.key = ${hash} and k.enabled and (k.expires_at is null or k.expires_at > now()) limit 1
    ), touched as (
      update ${apikeys} set last_request = now() where id = (select key_id from p)
        and (last_request is null or last_request < now() - interval '1 minute') returning 1
    )`;
}

function sessionPrincipal(token: string) {
  return sql`p as (
      select u.id, u.email, u.name, true as can_write from ${sessions} se join ${users} u on u.id = se.user_id
      where se.token = ${token} and se.expires_at > now() limit 1
    )`;
}

/** The user of the request's session (not of an API key), or undefined. */
export async function sessionUser(request: Request): Promise<SessionUser | undefined> {
  const credentials = credentialsOf(request);
  return credentials?.kind === "session" ? findUser(credentials.token) : undefined;
}

/**
 * The user behind the credentials and, for writes, the request counted against the user's
 * write limit: one statement either way.
 */
async function findPrincipal(credentials: Credentials, countWrite: boolean) {
  const { RATE_LIMIT_WINDOW_S: windowSeconds, RATE_LIMIT_WRITES_MAX: max } = env();
  const window = currentWindow(windowSeconds);
  const principal = credentials.kind === "api-key" ? keyPrincipal(credentials.hash) : sessionPrincipal(credentials.token);
  // A read-scoped key's write is refused (403) without using up the user's writes.
  const counter = countWrite ? sql`, c as (${upsertCounter(sql`select 'user:' || p.id, ${window}::bigint, 1 from p where p.can_write`)})` : sql``;
  const count = countWrite ? sql`(select count from c)` : sql`null`;
  type Row = { id: string; email: string; name: string; can_write: boolean; count: number | null };
  const [row] = await rowsOf<Row>(
    (await db()).execute(sql`with ${principal}${counter} select p.id, p.email, p.name, p.can_write, ${count} as count from p`),
  );
  if (!row) return undefined;
  const user = { id: row.id, email: row.email, name: row.name };
  if (row.count === null) return { user, canWrite: row.can_write };
  const state = limitState(Number(row.count), max, window, windowSeconds);
  return { user, canWrite: row.can_write, count: Number(row.count), state };
}

/**
 * The signed-in user (session or API key), in one query. No cache, so a signed-out session, a
 * revoked or expired key and a deleted user fail on the very next request. Requests without
 * valid credentials count against their IP's limit.
 */
export async function authenticate(request: Request, { countWrite = false } = {}): Promise<Authenticated> {
  const credentials = credentialsOf(request);
  const via = credentials?.kind === "session" ? credentials.via : "api-key";
  if (credentials?.kind === "session" && !countWrite) {
    const user = await findUser(credentials.token);
    if (user) return { user, via, canWrite: true };
  } else if (credentials) {
    const found = await findPrincipal(credentials, countWrite);
    if (found) {
      if (found.state) enforce(found.state, found.count);
      return { user: found.user, via, canWrite: found.canWrite, writeLimit: found.state };
    }
  }
  await countUnauthenticated(request);
  const detail = credentials?.kind === "api-key" ? "API key is invalid, expired or revoked" : "Session is invalid, expired or signed out";
  throw new ApiError("UNAUTHORIZED", credentials ? detail : undefined);
}
