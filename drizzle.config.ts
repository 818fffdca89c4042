import { defineConfig } from "drizzle-kit";

// Only `generate` and `studio` use this file; migrations are applied by scripts/migrate.ts,
// which understands every driver the app does (including PGlite) and takes an advisory lock.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://localhost:5432/postgres" },
});
