import http from "node:http";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { DatabaseTimeoutError, isClientAbort, isDatabaseUnavailable } from "@/lib/db/failures";

/** The error Node's http server gives a request whose client resets mid-body (not a copy of it). */
async function realClientAbort(): Promise<Error> {
  const server = http.createServer();
  const failed = new Promise<Error>((resolve) => {
    server.on("request", (request: http.IncomingMessage) => {
      request.on("error", resolve);
      request.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const socket = net.connect(port, "127.0.0.1", () => {
    socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"title\":\"");
    setTimeout(() => socket.resetAndDestroy(), 50);
  });
  socket.on("error", () => {});
  try {
    return await failed;
  } finally {
    server.close();
  }
}

/** How drizzle wraps a driver error. */
const wrapped = (cause: unknown) => Object.assign(new Error("Failed query: select 1"), { cause });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a reset database socket", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    ["an admin shutdown (57P01)", Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })],
    ["pg's terminated connection", new Error("Connection terminated unexpectedly")],
    ["our query timeout", new DatabaseTimeoutError()],
  ])("is true for %s, bare and wrapped by drizzle", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseUnavailable(wrapped(error))).toBe(true);
  });

  it("is false for ordinary bugs and constraint violations", () => {
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable(wrapped(Object.assign(new Error("duplicate key"), { code: "23505" })))).toBe(false);
  });

  it("is false for a client that reset its connection in the middle of sending a body", async () => {
    const abort = await realClientAbort();
    expect(abort).toMatchObject({ code: "ECONNRESET", message: "aborted" });
    expect(isClientAbort(abort)).toBe(true);
    expect(isDatabaseUnavailable(abort)).toBe(false);
    expect(isDatabaseUnavailable(wrapped(abort))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("terminated", { cause: abort }))).toBe(false);
  });

  it("does not take a database socket reset for a client abort", () => {
    expect(isClientAbort(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }))).toBe(false);
  });
});
