import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp as signUpOver } from "@/tools/accounts";
import { startNextServer, type NextServer } from "@/tools/next-server";

// The rows of the contract that only a real server shows: Next's own routing and body
// handling in front of our handlers. Runs `next start` on a fresh embedded database.
let server: NextServer;
let token: string;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-contract-"));

beforeAll(async () => {
  server = await startNextServer({ DATABASE_URL: `pglite:${dataDir}/db` });
  ({ token } = await signUpOver(server.url));
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function expectEnvelope(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  expect(response.headers.get("x-error-code")).toBe(code);
  const body = (await response.json()) as { detail: string; error_code: string };
  expect(body.error_code).toBe(code);
  expect(body.detail).toEqual(expect.any(String));
  return body;
}

/** A POST whose body is sent chunked, with no Content-Length, as fetch cannot do portably. */
function postChunked(url: string, chunks: Buffer[], headers: Record<string, string>) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = http.request(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on("error", reject);
    const writeNext = (index: number) => {
      if (index === chunks.length) return request.end();
      if (request.destroyed) return;
      request.write(chunks[index], () => writeNext(index + 1));
    };
    writeNext(0);
  });
}

describe("next start", () => {
  it("answers an unknown /api route with the JSON 404 for every method", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      for (const path of ["/api/no/such/route", "/api", "/api/tasks/%2e%2e"]) {
        const response = await fetch(`${server.url}${path}`, { method });
        await expectEnvelope(response, 404, "NOT_FOUND");
      }
    }
  });

  it("answers a path with malformed percent-encoding with the JSON 400, not Next's plain 500", async () => {
    for (const path of ["/api/tasks/%zz", "/api/tasks/1%", "/api/%E0%A4%A", "/api/tasks/%ED%A0%80"]) {
      const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await expectEnvelope(response, 400, "VALIDATION_ERROR");
    }
  });

  it("answers an unsupported method with 405 and Allow", async () => {
    const response = await fetch(`${server.url}/api/tasks`, { method: "PUT", headers: { authorization: `Bearer ${token}` } });
    await expectEnvelope(response, 405, "METHOD_NOT_ALLOWED");
    expect(response.headers.get("allow")).toBe("GET, POST, HEAD, OPTIONS");
  });

  it("answers a non-JSON body with 415", async () => {
    const response = await fetch(`${server.url}/api/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: "title=x",
    });
    await expectEnvelope(response, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers a body over 64 KiB with 413, with Content-Length", async () => {
    const response = await fetch(`${server.url}/api/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "x", description: "y".repeat(70_000) }),
    });
    await expectEnvelope(response, 413, "PAYLOAD_TOO_LARGE");
  });

  it("answers a chunked body over 64 KiB with 413, without Content-Length", async () => {
    const chunk = Buffer.alloc(16 * 1024, "a");
    const response = await postChunked(`${server.url}/api/tasks`, [Buffer.from('{"title":"'), ...Array(6).fill(chunk)], {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ error_code: "PAYLOAD_TOO_LARGE" });
  });

  it("accepts a chunked body under the limit", async () => {
    const response = await postChunked(
      `${server.url}/api/tasks`,
      [Buffer.from('{"title":'), Buffer.from('"chunked"}')],
      { authorization: `Bearer ${token}`, "content-type": "application/json" },
    );
    expect(response.status).toBe(201);
    expect(response.headers.location).toMatch(/^\/api\/tasks\/\d+$/);
  });

  it("never leaks a stack trace or driver message", async () => {
    const response = await fetch(`${server.url}/api/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: '{"title": "\\u0000"}',
    });
    const body = await expectEnvelope(response, 400, "VALIDATION_ERROR");
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(js|ts):\d+|postgres|pglite|drizzle/i);
  });
});
