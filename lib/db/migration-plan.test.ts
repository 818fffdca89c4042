import { describe, expect, it } from "vitest";
import { endpointHost, planMigration } from "@/lib/db/migration-plan";

const branch = "postgres://u:p@ep-cool-branch-123.us-east-2.aws.neon.tech/neondb?sslmode=require";
const branchPooled = "postgres://u:p@ep-cool-branch-123-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require";
const production = "ep-main-999.us-east-2.aws.neon.tech";

describe("planMigration (the Vercel build command's decision)", () => {
  it("skips migrations outside preview and production builds", () => {
    expect(planMigration({ VERCEL_ENV: "development", DATABASE_URL: branch })).toMatchObject({ migrate: false });
    expect(planMigration({ DATABASE_URL: branch })).toMatchObject({ migrate: false });
  });

  it("migrates over the unpooled URL when there is one", () => {
    const plan = planMigration({
      VERCEL_ENV: "preview",
      DATABASE_URL: branchPooled,
      DATABASE_URL_UNPOOLED: branch,
      PRODUCTION_DATABASE_HOST: production,
    });
    expect(plan).toEqual({ migrate: true, url: branch, host: "ep-cool-branch-123.us-east-2.aws.neon.tech" });
  });

  it("falls back to DATABASE_URL, and needs one of them", () => {
    expect(planMigration({ VERCEL_ENV: "production", DATABASE_URL: branch })).toMatchObject({ migrate: true, url: branch });
    expect(() => planMigration({ VERCEL_ENV: "production" })).toThrow(/needs DATABASE_URL/);
  });

  it("refuses a preview build pointed at the production host, pooled or not", () => {
    for (const url of [`postgres://u:p@${production}/neondb`, `postgres://u:p@ep-main-999-pooler.us-east-2.aws.neon.tech/neondb`]) {
      expect(() =>
        planMigration({ VERCEL_ENV: "preview", DATABASE_URL_UNPOOLED: url, PRODUCTION_DATABASE_HOST: production }),
      ).toThrow(/Refusing to migrate/);
    }
    expect(() =>
      planMigration({ VERCEL_ENV: "preview", DATABASE_URL: branch, PRODUCTION_DATABASE_HOST: "EP-MAIN-999-POOLER.us-east-2.aws.neon.tech" }),
    ).not.toThrow();
  });

  it("refuses a preview build that cannot tell what production is", () => {
    expect(() => planMigration({ VERCEL_ENV: "preview", DATABASE_URL: branch })).toThrow(/PRODUCTION_DATABASE_HOST/);
  });

  it("lets production builds migrate production", () => {
    expect(
      planMigration({ VERCEL_ENV: "production", DATABASE_URL: `postgres://u:p@${production}/db`, PRODUCTION_DATABASE_HOST: production }),
    ).toMatchObject({ migrate: true });
  });

  it("treats Neon's pooled and direct endpoints as one host", () => {
    expect(endpointHost(branchPooled)).toBe(endpointHost(branch));
  });
});
