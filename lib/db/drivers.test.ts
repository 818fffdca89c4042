import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/config-error";
import { DRIVERS, drivers, pgliteDirectory, resolveDriver, type DriverName } from "@/lib/db/drivers";

const resolve = (url: string, driver?: DriverName) => resolveDriver({ DATABASE_URL: url, DATABASE_DRIVER: driver });

describe("the driver registry", () => {
  it("describes every driver name, and nothing else", () => {
    expect(Object.keys(drivers).sort()).toEqual([...DRIVERS].sort());
  });

  it("has PGlite as the one embedded driver; pg and neon are servers", () => {
    expect(DRIVERS.filter((name) => drivers[name].kind === "embedded")).toEqual(["pglite"]);
    expect(DRIVERS.filter((name) => drivers[name].kind === "server")).toEqual(["pg", "neon"]);
  });

  it("loads no driver library when imported: its module-level imports are node:path, ConfigError and types", () => {
    const source = fs.readFileSync(path.join(process.cwd(), "lib/db/drivers.ts"), "utf8");
    const valueImports = [...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gm)].map((match) => match[1]);
    expect(valueImports).toEqual(["node:path", "@/lib/config-error"]);
  });
});

describe("resolveDriver", () => {
  it.each(["pglite:memory", "pglite:.data/pglite", "pglite:/var/lib/app"])("%s → pglite", (url) => {
    expect(resolve(url)).toBe("pglite");
    expect(resolve(url, "pglite")).toBe("pglite");
  });

  it.each([
    "postgres://user:pw@ep-cool-name-123456.us-east-2.aws.neon.tech/neondb?sslmode=require",
    "postgresql://user:pw@ep-cool-name-123456-pooler.eu-central-1.aws.neon.tech/neondb",
  ])("a Neon host → neon (%s)", (url) => {
    expect(resolve(url)).toBe("neon");
  });

  it.each([
    "postgres://postgres@127.0.0.1:5432/app",
    "postgresql://user:pw@db.example.com/app",
    "postgres://user@localhost/app",
    // Only a real subdomain of neon.tech is Neon.
    "postgres://user@notneon.tech/app",
    "postgres://user@neon.tech.example.com/app",
  ])("any other PostgreSQL URL → pg (%s)", (url) => {
    expect(resolve(url)).toBe("pg");
  });

  it("DATABASE_DRIVER overrides the host", () => {
    expect(resolve("postgres://postgres@127.0.0.1:5432/app", "neon")).toBe("neon");
    expect(resolve("postgres://user@ep-x.us-east-2.aws.neon.tech/neondb", "pg")).toBe("pg");
    expect(resolve("postgres://postgres@127.0.0.1:5432/app", "pg")).toBe("pg");
  });

  it.each(["pg", "neon"] as const)("a pglite: URL with DATABASE_DRIVER=%s is a ConfigError", (driver) => {
    expect(() => resolve("pglite:memory", driver)).toThrow(ConfigError);
    expect(() => resolve("pglite:.data/pglite", driver)).toThrow(/DATABASE_DRIVER/);
  });

  it("DATABASE_DRIVER=pglite with a postgres URL is a ConfigError", () => {
    expect(() => resolve("postgres://postgres@127.0.0.1:5432/app", "pglite")).toThrow(ConfigError);
    expect(() => resolve("postgres://postgres@127.0.0.1:5432/app", "pglite")).toThrow(/DATABASE_DRIVER/);
  });
});

describe("pgliteDirectory", () => {
  it("is undefined (in memory) for pglite:memory and an empty location", () => {
    expect(pgliteDirectory("pglite:memory")).toBeUndefined();
    expect(pgliteDirectory("pglite:")).toBeUndefined();
  });

  it("resolves a relative directory against the working directory", () => {
    expect(pgliteDirectory("pglite:.data/pglite")).toBe(path.resolve(process.cwd(), ".data/pglite"));
    expect(path.isAbsolute(pgliteDirectory("pglite:db")!)).toBe(true);
  });

  it("keeps an absolute directory", () => {
    expect(pgliteDirectory("pglite:/var/lib/task-api")).toBe("/var/lib/task-api");
  });
});
