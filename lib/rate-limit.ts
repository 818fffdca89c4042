import { sql, type SQL } from "drizzle-orm";
import { db } from "@/lib/db";
import { rowsOf } from "@/lib/db/rows";
import { requestCounters } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";

// Fixed windows counted in PostgreSQL, so that a limit holds across every instance: the state
// is one row per key, incremented (or reset when its window has passed) by a single upsert.
export interface RateLimitState {
  limit: number;
  remaining: number;
  resetAt: number;
}

export function currentWindow(windowSeconds: number, now = Date.now()): number {
  return Math.floor(now / 1000 / windowSeconds) * windowSeconds;
}

/**
 * The upsert, as SQL to run alone or inside a larger statement; returns the new `count`.
 * `rows` is the source of the (key, window_start, count) row: a VALUES list or a SELECT.
 */
export function upsertCounter(rows: SQL) {
  return sql`insert into ${requestCounters} as c (key, window_start, count) ${rows}
    on conflict (key) do update set
      count = case when c.window_start = excluded.window_start then c.count + 1 else 1 end,
      window_start = excluded.window_start
    returning c.count`;
}

export function limitState(count: number, max: number, window: number, windowSeconds: number): RateLimitState {
  return { limit: max, remaining: Math.max(0, max - count), resetAt: window + windowSeconds };
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(state.limit),
    "X-RateLimit-Remaining": String(state.remaining),
    "X-RateLimit-Reset": String(state.resetAt),
  };
}

export function enforce(state: RateLimitState, count: number) {
  if (count <= state.limit) return;
  const retryAfter = Math.max(1, state.resetAt - Math.floor(Date.now() / 1000));
  throw new ApiError("RATE_LIMITED", undefined, {
    headers: { ...rateLimitHeaders(state), "Retry-After": String(retryAfter) },
  });
}

/** The client's address as the platform reports it (Vercel and most proxies set X-Forwarded-For). */
export function clientIp(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || request.headers.get("x-real-ip")?.trim() || "unknown";
}

/** Counts a request without valid credentials against its IP; throws 429 past the limit. */
export async function countUnauthenticated(request: Request) {
  const { RATE_LIMIT_WINDOW_S: windowSeconds, RATE_LIMIT_UNAUTHENTICATED_MAX: max } = env();
  const window = currentWindow(windowSeconds);
  const [row] = await rowsOf<{ count: number }>(
    (await db()).execute(upsertCounter(sql`values (${`ip:${clientIp(request)}`}, ${window}, 1)`)),
  );
  const count = Number(row?.count ?? 0);
  enforce(limitState(count, max, window, windowSeconds), count);
}
