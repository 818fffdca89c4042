import { describe, expect, it } from "vitest";
import { api, expectError } from "@/test/api";

describe("GET /api/health", () => {
  it("reports the database and migrations without auth", async () => {
    const response = await api("GET", "/api/health");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "ok", database: "ok", migrations: "up_to_date" });
    expect(response.body.driver).toBe(process.env.TEST_DRIVER);
  });

  it("answers 405 with Allow for other methods", async () => {
    const response = await api("POST", "/api/health");
    expectError(response, 405, "METHOD_NOT_ALLOWED");
    expect(response.headers.get("allow")).toContain("GET");
  });
});
