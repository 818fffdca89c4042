import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import { db } from "@/lib/db";
import { sessions, users } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";

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
export function sessionToken(request: Request): string | null {
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
  return token && TOKEN_SHAPE.test(token) ? token : null;
}

/**
 * The signed-in user, in one query: the session row joined to its user, still unexpired.
 * No cache, so a signed-out or deleted session fails on the very next request.
 */
export async function requireUser(request: Request): Promise<SessionUser> {
  const token = sessionToken(request);
  if (!token) throw new ApiError("UNAUTHORIZED");
  const database = await db();
  const [user] = await database
    .select({ id: users.id, email: users.email, name: users.name })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.token, token), gt(sessions.expiresAt, sql`now()`)))
    .limit(1);
  if (!user) throw new ApiError("UNAUTHORIZED", "Session is invalid, expired or signed out");
  return user;
}
