import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNextServer, type NextServer } from "@/tools/next-server";

// Security headers as a browser receives them from the production server.
let server: NextServer;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-headers-"));

beforeAll(async () => {
  server = await startNextServer({ DATABASE_URL: `pglite:${dataDir}/db` });
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function expectCommon(response: Response) {
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  expect(response.headers.get("x-powered-by")).toBeNull();
}

describe("security headers", () => {
  it("are on API responses, success and error, with a deny-everything policy", async () => {
    for (const url of ["/api/health", "/api/tasks", "/api/nope", "/api/openapi.json"]) {
      const response = await fetch(server.url + url);
      expectCommon(response);
      expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it("give pages a per-request nonce policy that Next's own scripts carry", async () => {
    const first = await fetch(`${server.url}/admin`);
    const second = await fetch(`${server.url}/admin`);
    expectCommon(first);
    const policy = first.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain("unsafe-eval");
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(second.headers.get("content-security-policy")).not.toBe(policy);
    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it("let the API docs load their own script and styles, and nothing from elsewhere", async () => {
    const response = await fetch(`${server.url}/api/docs`);
    expectCommon(response);
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/https?:/);
  });
});
