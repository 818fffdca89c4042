import { z } from "zod";
import { ConfigError } from "@/lib/config-error";
import { DRIVERS } from "@/lib/db/drivers";

export { ConfigError };

const DEV_AUTH_SECRET = "development-only-secret-do-not-use-in-production";

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|pglite:)/, "a postgres:// or postgresql:// URL, pglite:<dir> or pglite:memory")
    .optional(),
  DATABASE_DRIVER: z.enum(DRIVERS).optional(),
  NEON_WS_PROXY: z.string().min(1).optional(),
  DB_POOL_MAX: integer(10, 1, 1000),
  DB_POOL_ACQUIRE_TIMEOUT_MS: integer(30_000, 100, 600_000),
  DB_POOL_IDLE_TIMEOUT_MS: integer(10_000, 100, 3_600_000),
  DB_POOL_MAX_LIFETIME_S: integer(3600, 1, 86_400),
  DB_STATEMENT_TIMEOUT_MS: integer(5000, 100, 600_000),
  BETTER_AUTH_SECRET: z.string().min(32, "at least 32 characters (openssl rand -base64 32)").optional(),
  BETTER_AUTH_URL: z.url().optional(),
  AUTH_RATE_LIMIT_ENABLED: z.stringbool().optional(),
  AUTH_RATE_LIMIT_WINDOW_S: integer(60, 1, 86_400),
  AUTH_RATE_LIMIT_MAX: integer(10, 1, 1_000_000),
  RATE_LIMIT_WINDOW_S: integer(60, 1, 86_400),
  RATE_LIMIT_WRITES_MAX: integer(300, 1, 1_000_000_000),
  RATE_LIMIT_UNAUTHENTICATED_MAX: integer(60, 1, 1_000_000_000),
  CORS_ORIGINS: z
    .string()
    .transform((value) => value.split(",").map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url().transform((origin) => new URL(origin).origin)))
    .default([]),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  // Server processes of `npm start` (scripts/start.ts); unset: one per core (1 on PGlite).
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  // How long a server process waits for its in-flight requests after SIGTERM (lib/shutdown.ts);
  // `npm start` kills a process still running a few seconds after that.
  SHUTDOWN_DRAIN_TIMEOUT_MS: integer(25_000, 100, 600_000),
  // Set by Vercel (and by `npm run preview:rehearse`); see README "Deploying to Vercel with Neon".
  VERCEL_ENV: z.enum(["production", "preview", "development"]).optional(),
  VERCEL_URL: z.string().optional(),
  VERCEL_BRANCH_URL: z.string().optional(),
  VERCEL_PROJECT_PRODUCTION_URL: z.string().optional(),
});

// The part of the configuration that opening and migrating the database needs. A migration
// job (`npm run db:migrate`, a deploy step) validates only this: it has no use for the auth
// secret and must not be made to carry one.
const databaseEnvSchema = envSchema.pick({
  NODE_ENV: true,
  DATABASE_URL: true,
  DATABASE_DRIVER: true,
  NEON_WS_PROXY: true,
  DB_POOL_MAX: true,
  DB_POOL_ACQUIRE_TIMEOUT_MS: true,
  DB_POOL_IDLE_TIMEOUT_MS: true,
  DB_POOL_MAX_LIFETIME_S: true,
  DB_STATEMENT_TIMEOUT_MS: true,
  LOG_LEVEL: true,
});

// Vercel runs previews with NODE_ENV=production too; naming VERCEL_ENV makes a preview
// without its own secret fail just as loudly.
const isDeployed = (source: Record<string, string | undefined>) =>
  source.NODE_ENV === "production" || source.VERCEL_ENV === "preview" || source.VERCEL_ENV === "production";

export type Env = Omit<z.infer<typeof envSchema>, "DATABASE_URL" | "BETTER_AUTH_SECRET"> & {
  DATABASE_URL: string;
  BETTER_AUTH_SECRET: string;
};

export type DatabaseEnv = Omit<z.infer<typeof databaseEnvSchema>, "DATABASE_URL"> & { DATABASE_URL: string };

/**
 * `schema` applied to the environment, with `required` enforced when deployed. Every problem is
 * reported together, naming each variable.
 */
function check<T extends z.ZodType>(schema: T, source: Record<string, string | undefined>, required: readonly string[]): z.output<T> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = schema.safeParse(cleaned);
  // Checked beside the schema, not in a refinement, so that it is reported even when other
  // variables fail to parse: one message names every problem.
  const missing = isDeployed(cleaned) ? required.filter((key) => !cleaned[key]) : [];
  const lines = [
    ...missing.map((key) => `  ${key}: required when NODE_ENV=production (and on Vercel previews)`),
    ...(result.error?.issues ?? []).map((issue) => `  ${issue.path.join(".")}: ${issue.message}`),
  ];
  if (!result.success || lines.length > 0) {
    throw new ConfigError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

const defaultDatabaseUrl = (env: { NODE_ENV: string; DATABASE_URL?: string }) =>
  env.DATABASE_URL ?? (env.NODE_ENV === "test" ? "pglite:memory" : "pglite:.data/pglite");

/** Parses the environment once; every problem is reported together, naming each variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const env = check(envSchema, source, ["DATABASE_URL", "BETTER_AUTH_SECRET"]);
  return {
    ...env,
    DATABASE_URL: defaultDatabaseUrl(env),
    BETTER_AUTH_SECRET: env.BETTER_AUTH_SECRET ?? DEV_AUTH_SECRET,
  };
}

/**
 * Only the database settings, for jobs that migrate or inspect the database and nothing else:
 * the same rules as parseEnv for these variables (DATABASE_URL is still required in
 * production), and no opinion on the others. The server itself always uses parseEnv.
 */
export function parseDatabaseEnv(source: Record<string, string | undefined>): DatabaseEnv {
  const env = check(databaseEnvSchema, source, ["DATABASE_URL"]);
  return { ...env, DATABASE_URL: defaultDatabaseUrl(env) };
}

let cached: Env | undefined;

// Lazy, because `next build` imports every route module and must not need production secrets.
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
