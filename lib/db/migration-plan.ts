// The Vercel build's migration plan: whether scripts/vercel-build.ts migrates, over which URL, or
// why not. Pure, for tests.

/** The variables of a Vercel build that the plan reads. */
export interface VercelBuildEnv {
  VERCEL_ENV?: string;
  DATABASE_URL?: string;
  DATABASE_URL_UNPOOLED?: string;
  PRODUCTION_DATABASE_HOST?: string;
}

export type MigrationPlan =
  | { migrate: false; reason: string }
  | { migrate: true; url: string; host: string };

// Neon's pooled and direct endpoints differ only by "-pooler" in the first label.
export function endpointHost(url: string): string {
  return new URL(url).hostname.replace(/-pooler(?=\.)/, "").toLowerCase();
}

/**
 * Migrate only on Vercel preview and production builds, over the direct (unpooled) endpoint
 * when there is one (DDL does not belong behind PgBouncer), and never from a preview build
 * at the production database.
 */
export function planMigration(env: VercelBuildEnv): MigrationPlan {
  if (env.VERCEL_ENV !== "preview" && env.VERCEL_ENV !== "production") {
    return { migrate: false, reason: `VERCEL_ENV is ${env.VERCEL_ENV ?? "unset"}: not a preview or production build` };
  }
  const url = env.DATABASE_URL_UNPOOLED || env.DATABASE_URL;
  if (!url) throw new Error(`A ${env.VERCEL_ENV} build needs DATABASE_URL (or DATABASE_URL_UNPOOLED) to apply migrations.`);
  const host = endpointHost(url);
  const production = env.PRODUCTION_DATABASE_HOST?.trim().toLowerCase().replace(/-pooler(?=\.)/, "");
  if (env.VERCEL_ENV === "preview" && !production) {
    throw new Error("PRODUCTION_DATABASE_HOST is not set: a preview build cannot check that it is not migrating production.");
  }
  if (env.VERCEL_ENV === "preview" && host === production) {
    throw new Error(
      `Refusing to migrate: this preview build's database host ${host} is the production host. ` +
        "Previews must use their own Neon branch (enable the Neon integration's preview branches).",
    );
  }
  return { migrate: true, url, host };
}
