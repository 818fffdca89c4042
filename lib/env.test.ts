import { describe, expect, it } from "vitest";
import { ConfigError, parseDatabaseEnv, parseEnv } from "@/lib/env";

const PRODUCTION_SECRET = "x".repeat(32);

/** The ConfigError that parseEnv throws for this environment (fails the test if it does not throw one). */
function configError(source: Record<string, string | undefined>, parse: (source: Record<string, string | undefined>) => unknown = parseEnv): ConfigError {
  try {
    parse(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(source)}`);
}

describe("parseEnv defaults", () => {
  it("uses a persistent PGlite directory in development", () => {
    const env = parseEnv({});
    expect(env.NODE_ENV).toBe("development");
    expect(env.DATABASE_URL).toBe("pglite:.data/pglite");
  });

  it("uses an in-memory PGlite in test", () => {
    expect(parseEnv({ NODE_ENV: "test" }).DATABASE_URL).toBe("pglite:memory");
  });

  it("has the pool defaults of the original design", () => {
    const env = parseEnv({ NODE_ENV: "test" });
    expect(env.DB_POOL_MAX).toBe(10);
    expect(env.DB_POOL_ACQUIRE_TIMEOUT_MS).toBe(30_000);
    expect(env.DB_POOL_IDLE_TIMEOUT_MS).toBe(10_000);
    expect(env.DB_POOL_MAX_LIFETIME_S).toBe(3600);
    expect(env.DB_STATEMENT_TIMEOUT_MS).toBe(5000);
  });

  it("provides a development auth secret outside production", () => {
    expect(parseEnv({}).BETTER_AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it("reads pool settings from strings", () => {
    const env = parseEnv({ DB_POOL_MAX: "25", DB_STATEMENT_TIMEOUT_MS: "1500" });
    expect(env.DB_POOL_MAX).toBe(25);
    expect(env.DB_STATEMENT_TIMEOUT_MS).toBe(1500);
  });

  it("keeps an explicit DATABASE_URL", () => {
    const url = "postgres://user@db.example.com:5432/app";
    expect(parseEnv({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    expect(parseEnv({ DATABASE_URL: "pglite:memory" }).DATABASE_URL).toBe("pglite:memory");
  });
});

describe("parseEnv in production", () => {
  it("accepts a complete configuration", () => {
    const env = parseEnv({
      NODE_ENV: "production",
      DATABASE_URL: "postgresql://user:pw@db.example.com/app",
      BETTER_AUTH_SECRET: PRODUCTION_SECRET,
    });
    expect(env.DATABASE_URL).toBe("postgresql://user:pw@db.example.com/app");
    expect(env.BETTER_AUTH_SECRET).toBe(PRODUCTION_SECRET);
  });

  it("requires DATABASE_URL", () => {
    const error = configError({ NODE_ENV: "production", BETTER_AUTH_SECRET: PRODUCTION_SECRET });
    expect(error.message).toContain("DATABASE_URL");
    expect(error.message).not.toContain("BETTER_AUTH_SECRET");
  });

  it("requires BETTER_AUTH_SECRET", () => {
    const error = configError({ NODE_ENV: "production", DATABASE_URL: "postgres://db.example.com/app" });
    expect(error.message).toContain("BETTER_AUTH_SECRET");
    expect(error.message).not.toContain("DATABASE_URL");
  });

  it("names every bad variable in one error (out-of-range pool size)", () => {
    const error = configError({ NODE_ENV: "production", DB_POOL_MAX: "0" });
    expect(error.message).toContain("DATABASE_URL");
    expect(error.message).toContain("BETTER_AUTH_SECRET");
    expect(error.message).toContain("DB_POOL_MAX");
  });

  it("names every bad variable in one error (non-numeric pool size)", () => {
    const error = configError({ NODE_ENV: "production", DB_POOL_MAX: "abc", DB_STATEMENT_TIMEOUT_MS: "soon" });
    for (const name of ["DATABASE_URL", "BETTER_AUTH_SECRET", "DB_POOL_MAX", "DB_STATEMENT_TIMEOUT_MS"]) {
      expect(error.message).toContain(name);
    }
  });

  it("names an invalid DATABASE_URL together with a missing secret and a bad BETTER_AUTH_URL", () => {
    const error = configError({ NODE_ENV: "production", DATABASE_URL: "mysql://db/app", BETTER_AUTH_URL: "not a url" });
    for (const name of ["DATABASE_URL", "BETTER_AUTH_SECRET", "BETTER_AUTH_URL"]) expect(error.message).toContain(name);
  });

  it("rejects a short BETTER_AUTH_SECRET", () => {
    const error = configError({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://db.example.com/app",
      BETTER_AUTH_SECRET: "short",
    });
    expect(error.message).toContain("BETTER_AUTH_SECRET");
  });
});

describe("parseEnv validation", () => {
  it.each(["mysql://user@db.example.com/app", "http://db.example.com", "db.example.com:5432", "sqlite:app.db"])(
    "rejects DATABASE_URL %s",
    (url) => {
      expect(configError({ DATABASE_URL: url }).message).toContain("DATABASE_URL");
    },
  );

  it.each([
    ["DB_POOL_MAX", "1.5"],
    ["DB_POOL_MAX", "-1"],
    ["DB_POOL_ACQUIRE_TIMEOUT_MS", "ten"],
    ["DB_POOL_MAX_LIFETIME_S", "0"],
    ["DATABASE_DRIVER", "mysql"],
    ["NODE_ENV", "staging"],
  ])("rejects %s=%s", (name, value) => {
    expect(configError({ [name]: value }).message).toContain(name);
  });
});

describe("parseEnv with empty strings", () => {
  it("treats empty variables as unset", () => {
    const env = parseEnv({
      NODE_ENV: "test",
      DATABASE_URL: "",
      DATABASE_DRIVER: "",
      DB_POOL_MAX: "",
      BETTER_AUTH_SECRET: "",
      BETTER_AUTH_URL: "",
    });
    expect(env.DATABASE_URL).toBe("pglite:memory");
    expect(env.DATABASE_DRIVER).toBeUndefined();
    expect(env.DB_POOL_MAX).toBe(10);
    expect(env.BETTER_AUTH_URL).toBeUndefined();
  });

  it("treats an empty NODE_ENV as development", () => {
    expect(parseEnv({ NODE_ENV: "" }).DATABASE_URL).toBe("pglite:.data/pglite");
  });

  it("still requires production variables that are set to empty strings", () => {
    const error = configError({ NODE_ENV: "production", DATABASE_URL: "", BETTER_AUTH_SECRET: "" });
    expect(error.message).toContain("DATABASE_URL");
    expect(error.message).toContain("BETTER_AUTH_SECRET");
  });
});

// Issue #14: `npm run db:migrate` with NODE_ENV=production refused to run without
// BETTER_AUTH_SECRET. A migration job validates only the database settings.
describe("parseDatabaseEnv (migration jobs)", () => {
  const production = { NODE_ENV: "production", DATABASE_URL: "postgres://user@db.example.com/app" };

  it("accepts production with DATABASE_URL alone, where parseEnv (the server) still refuses", () => {
    const env = parseDatabaseEnv(production);
    expect(env.DATABASE_URL).toBe(production.DATABASE_URL);
    expect(env.NODE_ENV).toBe("production");
    expect(configError(production).message).toContain("BETTER_AUTH_SECRET");
  });

  it("has no auth settings at all, so no development secret can leak into a job", () => {
    expect(parseDatabaseEnv(production)).not.toHaveProperty("BETTER_AUTH_SECRET");
  });

  it("still requires DATABASE_URL in production and on Vercel previews", () => {
    for (const source of [{ NODE_ENV: "production" }, { VERCEL_ENV: "preview" }, { NODE_ENV: "production", DATABASE_URL: "" }]) {
      const error = configError(source, parseDatabaseEnv);
      expect(error.message).toContain("DATABASE_URL");
      expect(error.message).not.toContain("BETTER_AUTH_SECRET");
    }
  });

  it("validates the database settings as parseEnv does, naming every bad one", () => {
    const error = configError({ ...production, DATABASE_URL: "mysql://db/app", DB_POOL_MAX: "0", DATABASE_DRIVER: "sqlite" }, parseDatabaseEnv);
    for (const name of ["DATABASE_URL", "DB_POOL_MAX", "DATABASE_DRIVER"]) expect(error.message).toContain(name);
  });

  it("ignores settings that are not the database's, even malformed ones", () => {
    const env = parseDatabaseEnv({ ...production, BETTER_AUTH_SECRET: "short", BETTER_AUTH_URL: "not a url", CORS_ORIGINS: "nope" });
    expect(env.DATABASE_URL).toBe(production.DATABASE_URL);
  });

  it("has the same defaults and pool settings as parseEnv", () => {
    expect(parseDatabaseEnv({}).DATABASE_URL).toBe("pglite:.data/pglite");
    expect(parseDatabaseEnv({ NODE_ENV: "test" }).DATABASE_URL).toBe("pglite:memory");
    const source = { DATABASE_DRIVER: "neon", NEON_WS_PROXY: "ws://127.0.0.1:1", DB_POOL_MAX: "25", DB_STATEMENT_TIMEOUT_MS: "1500" };
    const full = parseEnv(source);
    const database = parseDatabaseEnv(source);
    for (const key of Object.keys(database) as (keyof typeof database)[]) expect(database[key], key).toEqual(full[key]);
  });
});
