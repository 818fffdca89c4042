import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/errors";
import { DRAIN_MAX_BYTES, duplicateKey, MAX_BODY_BYTES, readJsonObject } from "@/lib/http/body";

const TASKS_URL = "http://localhost:3000/api/tasks";
const JSON_TYPE = { "content-type": "application/json" };

function post(body: BodyInit | null, headers: Record<string, string> = JSON_TYPE): Request {
  return new Request(TASKS_URL, { method: "POST", headers, body, duplex: "half" } as RequestInit);
}

const bytes = (text: string) => new TextEncoder().encode(text);

/** A JSON object whose UTF-8 encoding is exactly `size` bytes. */
function objectOfSize(size: number): string {
  const prefix = '{"title":"';
  const suffix = '"}';
  return prefix + "a".repeat(size - prefix.length - suffix.length) + suffix;
}

/** A body streamed in chunks, with no Content-Length. `chunks` Infinity never ends. */
function stream(chunkSize: number, chunks: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= chunks) return controller.close();
      sent++;
      controller.enqueue(new Uint8Array(chunkSize).fill(0x20)); // whitespace: still JSON-ish
    },
  });
}

async function rejection(request: Request): Promise<ApiError> {
  try {
    const value = await readJsonObject(request);
    throw new Error(`expected a rejection, got ${JSON.stringify(value).slice(0, 80)}`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return error;
  }
}

async function expectApiError(request: Request, code: string, status: number) {
  const error = await rejection(request);
  expect(error.code).toBe(code);
  expect(error.status).toBe(status);
  return error;
}

describe("readJsonObject: media type", () => {
  it("rejects a body with no content type with 415", async () => {
    const request = post(bytes('{"title":"t"}'), {});
    expect(request.headers.get("content-type")).toBeNull();
    await expectApiError(request, "UNSUPPORTED_MEDIA_TYPE", 415);
  });

  it.each([
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonp",
    "application/json-patch+json",
    "text/json",
  ])("rejects %s with 415", async (type) => {
    await expectApiError(post('{"title":"t"}', { "content-type": type }), "UNSUPPORTED_MEDIA_TYPE", 415);
  });

  it.each(["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"])(
    "accepts %s",
    async (type) => {
      expect(await readJsonObject(post('{"title":"t"}', { "content-type": type }))).toEqual({ title: "t" });
    },
  );

  it("checks the media type before the size", async () => {
    const request = post("x".repeat(MAX_BODY_BYTES + 1), { "content-type": "text/plain" });
    await expectApiError(request, "UNSUPPORTED_MEDIA_TYPE", 415);
  });
});

describe("readJsonObject: size limit", () => {
  it("accepts a body of exactly 64 KiB", async () => {
    const text = objectOfSize(MAX_BODY_BYTES);
    expect(bytes(text).byteLength).toBe(64 * 1024);
    const value = await readJsonObject(post(text));
    expect((value.title as string).length).toBe(MAX_BODY_BYTES - 12);
  });

  it("rejects a body one byte over 64 KiB with 413", async () => {
    await expectApiError(post(objectOfSize(MAX_BODY_BYTES + 1)), "PAYLOAD_TOO_LARGE", 413);
  });

  it("rejects by Content-Length alone, without reading the body", async () => {
    const request = post('{"title":"t"}', { ...JSON_TYPE, "content-length": String(MAX_BODY_BYTES + 1) });
    expect(request.headers.get("content-length")).toBe(String(MAX_BODY_BYTES + 1));
    await expectApiError(request, "PAYLOAD_TOO_LARGE", 413);
    expect(request.bodyUsed).toBe(false);
  });

  it("rejects a streamed body without Content-Length once it passes 64 KiB", async () => {
    const request = post(stream(16 * 1024, 5));
    expect(request.headers.get("content-length")).toBeNull();
    await expectApiError(request, "PAYLOAD_TOO_LARGE", 413);
  });

  it("stops reading an endless stream", async () => {
    await expectApiError(post(stream(4096, Infinity)), "PAYLOAD_TOO_LARGE", 413);
  });
});

/** A stream that counts what was pulled from it, like a request body arriving from a socket. */
function counted(chunkSize: number, chunks: number) {
  const state = { pulled: 0, ended: false };
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= chunks) {
        state.ended = true;
        return controller.close();
      }
      sent++;
      state.pulled += chunkSize;
      controller.enqueue(new Uint8Array(chunkSize).fill(0x20));
    },
  });
  return { body, state };
}

// Issue #14: a refused body must leave the connection reusable (read to its end) or announced
// closed; test/server/refused-body.test.ts checks the connection itself against `next start`.
describe("readJsonObject: the rest of a refused body", () => {
  it("reads a moderately oversized body to its end and keeps the connection", async () => {
    const { body, state } = counted(16 * 1024, 10);
    const error = await expectApiError(post(body), "PAYLOAD_TOO_LARGE", 413);
    expect(state.ended).toBe(true);
    expect(error.extra.headers?.Connection).toBeUndefined();
  });

  it("stops reading past the drain bound and announces Connection: close", async () => {
    const { body, state } = counted(16 * 1024, Infinity);
    const error = await expectApiError(post(body), "PAYLOAD_TOO_LARGE", 413);
    expect(state.pulled).toBeLessThan(MAX_BODY_BYTES + DRAIN_MAX_BYTES + 64 * 1024);
    expect(error.extra.headers?.Connection).toBe("close");
  });

  it("announces Connection: close when the rest does not arrive in time", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 5) controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
        // then nothing: a client that stalls
      },
    });
    const started = performance.now();
    const error = await expectApiError(post(body), "PAYLOAD_TOO_LARGE", 413);
    expect(error.extra.headers?.Connection).toBe("close");
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("a declared Content-Length within the drain bound leaves the body to Node; beyond it closes", async () => {
    const within = post('{"title":"t"}', { ...JSON_TYPE, "content-length": String(MAX_BODY_BYTES + 1) });
    expect((await rejection(within)).extra.headers?.Connection).toBeUndefined();
    const beyond = post('{"title":"t"}', { ...JSON_TYPE, "content-length": String(MAX_BODY_BYTES + DRAIN_MAX_BYTES + 1) });
    const error = await rejection(beyond);
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.extra.headers?.Connection).toBe("close");
    expect(beyond.bodyUsed).toBe(false);
  });
});

describe("readJsonObject: a client that goes away mid-body", () => {
  it("is a 400 for an incomplete body, not a database outage", async () => {
    // What Node's http server gives a body whose client reset the connection.
    const aborted = Object.assign(new Error("aborted"), { code: "ECONNRESET" });
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(aborted);
        sent = true;
        controller.enqueue(bytes('{"title":"'));
      },
    });
    const error = await expectApiError(post(body), "INVALID_JSON", 400);
    expect(error.message).toMatch(/ended before it was complete/);
  });

  it("accepts a small streamed body", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes('{"tit'));
        controller.enqueue(bytes('le":"streamed"}'));
        controller.close();
      },
    });
    expect(await readJsonObject(post(body))).toEqual({ title: "streamed" });
  });

  it("a multi-byte character split across chunks is decoded", async () => {
    const encoded = bytes('{"title":"é😀"}');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoded.slice(0, 11)); // splits "é"
        controller.enqueue(encoded.slice(11, 14)); // splits the emoji
        controller.enqueue(encoded.slice(14));
        controller.close();
      },
    });
    expect(await readJsonObject(post(body))).toEqual({ title: "é😀" });
  });
});

describe("readJsonObject: content", () => {
  it.each([
    ["an invalid byte", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]],
    ["a truncated sequence", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d]],
    ["an encoded surrogate (CESU-8)", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]],
    ["an overlong encoding", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]],
  ])("invalid UTF-8 (%s) → INVALID_JSON", async (_name, raw) => {
    await expectApiError(post(new Uint8Array(raw)), "INVALID_JSON", 400);
  });

  it.each(["", " ", "{", '{"title":', "{title: 1}", "{'a': 1}", '{"a":1,}', "undefined", "NaN", '{"a":1}{"b":2}'])(
    "unparseable %j → INVALID_JSON",
    async (text) => {
      await expectApiError(post(text), "INVALID_JSON", 400);
    },
  );

  it.each(["[]", '[{"title":"t"}]', "null", "1", "0", '"a string"', "true", "false"])(
    "non-object JSON %s → INVALID_JSON",
    async (text) => {
      await expectApiError(post(text), "INVALID_JSON", 400);
    },
  );

  it("an empty body with no stream → INVALID_JSON", async () => {
    await expectApiError(post(null), "INVALID_JSON", 400);
  });

  it("returns the parsed object, keeping nested values as JSON gives them", async () => {
    const value = await readJsonObject(post(' {"title":"t","completed":true,"description":null,"n":{"a":[1]}} '));
    expect(value).toEqual({ title: "t", completed: true, description: null, n: { a: [1] } });
  });

  it("a JSON string escaping U+0000 is parsed (validation rejects it later)", async () => {
    expect(await readJsonObject(post('{"title":"a\\u0000b"}'))).toEqual({ title: "a\u0000b" });
  });
});

describe("readJsonObject: deep nesting", () => {
  it("20000 unclosed [ → INVALID_JSON", async () => {
    await expectApiError(post("[".repeat(20_000)), "INVALID_JSON", 400);
  });

  it("20000 nested arrays → INVALID_JSON (not an object)", async () => {
    await expectApiError(post("[".repeat(20_000) + "]".repeat(20_000)), "INVALID_JSON", 400);
  });

  it("an object nested 10000 deep is parsed or cleanly rejected, never thrown raw", async () => {
    const depth = 10_000;
    const text = '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    expect(bytes(text).byteLength).toBeLessThanOrEqual(MAX_BODY_BYTES);
    try {
      const value = await readJsonObject(post(text));
      expect(value).toHaveProperty("a");
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBeGreaterThanOrEqual(400);
      expect((error as ApiError).status).toBeLessThan(500);
    }
  });

  it("an object nested deeper than fits in 64 KiB → 413", async () => {
    const depth = 20_000;
    await expectApiError(post('{"a":'.repeat(depth) + "1" + "}".repeat(depth)), "PAYLOAD_TOO_LARGE", 413);
  });
});

describe("duplicateKey", () => {
  it.each([
    ['{"a":1,"a":2}', "a"],
    ['{"a":1,"\\u0061":2}', "a"],
    ['{"x":{"b":1,"c":{"d":1},"b":2}}', "b"],
    ['{ "a" : 1 ,\n "a" : 2 }', "a"],
  ])("finds the repeated key in %s", (text, key) => {
    expect(duplicateKey(text)).toBe(key);
  });

  it.each([
    '{"a":1,"b":{"a":2}}',
    '{"a":["a","a"],"b":"a"}',
    '{"a":"\\"a\\"","b":"}{,"}',
    '[{"a":1},{"a":2}]',
    '{"title":"a,\\"title\\":b"}',
  ])("accepts %s", (text) => {
    expect(duplicateKey(text)).toBeUndefined();
  });

  it("makes readJsonObject answer INVALID_JSON for a repeated key", async () => {
    const request = new Request("http://localhost/api/tasks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"title":"a","completed":false,"completed":true}',
    });
    await expect(readJsonObject(request)).rejects.toMatchObject({ code: "INVALID_JSON" });
  });
});
