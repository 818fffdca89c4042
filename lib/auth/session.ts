import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import { db, type Database } from "@/lib/db";
import { sessions, users } from "@/lib/db/schema";
import { apiKeyOf, hashApiKey } from "@/lib/auth/api-keys";
import { env } from "@/lib/env";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
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

export type Credentials =
  | { kind: "session"; token: string; via: "bearer" | "cookie" }
  | { kind: "api-key"; hash: string };

/**
 * The request's credentials: an API key (`x-api-key`, or a bearer value with the key prefix),
 * else the session token from `Authorization: Bearer` (raw or signed) or the session cookie.
 */
export function credentialsOf(request: Request): Credentials | null {
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

/** The user of the request's session (not of an API key), or undefined. */
export async function sessionUser(request: Request): Promise<SessionUser | undefined> {
  const credentials = credentialsOf(request);
  return credentials?.kind === "session" ? findUser(credentials.token) : undefined;
}
