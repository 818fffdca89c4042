import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { bearer } from "better-auth/plugins";
import { db, type Database } from "@/lib/db";
import * as schema from "@/lib/db/schema";
import { env } from "@/lib/env";
import { apiKeyPlugin } from "@/lib/auth/api-keys";
import { authBaseURL, trustedOrigins } from "@/lib/auth/origins";
import { PASSWORD_MAX } from "@/lib/auth/schema";
import { logBetterAuth } from "@/lib/log";

function createAuth(database: Database) {
  const config = env();
  return betterAuth({
    secret: config.BETTER_AUTH_SECRET,
    baseURL: authBaseURL(config),
    trustedOrigins: trustedOrigins(config),
    basePath: "/api/auth",
    database: drizzleAdapter(database, { provider: "pg", usePlural: true, schema }),
    // Better Auth counts UTF-16 units; the API's own limit (PASSWORD_MAX code points, checked
    // before Better Auth sees the request) is the one that holds.
    emailAndPassword: { enabled: true, maxPasswordLength: 2 * PASSWORD_MAX },
    plugins: [bearer(), apiKeyPlugin()],
    logger: { log: logBetterAuth },
    rateLimit: {
      enabled: config.AUTH_RATE_LIMIT_ENABLED ?? config.NODE_ENV === "production",
      storage: "database",
      customRules: {
        "/sign-in/email": { window: config.AUTH_RATE_LIMIT_WINDOW_S, max: config.AUTH_RATE_LIMIT_MAX },
        "/sign-up/email": { window: config.AUTH_RATE_LIMIT_WINDOW_S, max: config.AUTH_RATE_LIMIT_MAX },
      },
    },
    telemetry: { enabled: false },
    // Better Auth turns its origin (CSRF) check off by default when NODE_ENV=test or TEST is
    // set; it stays on everywhere here, tests included, so that they test what production runs.
    advanced: { disableOriginCheck: false },
    // Let database failures escape Better Auth so that our error mapper turns them into 503s;
    // its own API errors (wrong password, ...) still come back as responses.
    onAPIError: { throw: true },
  });
}

export type Auth = ReturnType<typeof createAuth>;

// One instance per database client, so that it follows the client across hot reloads and
// reconnects. Lazy, like the database: `next build` imports the auth route with no database.
const instances = new WeakMap<Database, Auth>();

export async function auth(): Promise<Auth> {
  const database = await db();
  let instance = instances.get(database);
  if (!instance) {
    instance = createAuth(database);
    instances.set(database, instance);
  }
  return instance;
}

