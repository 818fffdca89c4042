import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/errors";
import { etagOf, ifMatchVersions, ifNoneMatchHolds, notModified } from "@/lib/http/conditional";

const withHeader = (name: string, value?: string) =>
  new Request("http://localhost:3000/api/tasks/1", { headers: value === undefined ? {} : { [name]: value } });

/** Runs a parser expected to refuse the header, and returns the field its 400 names. */
function refusedField(parse: () => unknown): string | undefined {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.code).toBe("VALIDATION_ERROR");
    return error.extra.errors?.[0]?.path;
  }
  throw new Error("the header was accepted");
}

const MALFORMED = ["", "abc", '"5', '5"', "W/5", '"5" "6"', '*, "5"', '"a b"'];

describe("etagOf", () => {
  it("quotes the version: a strong tag", () => {
    expect(etagOf(42)).toBe('"42"');
  });
});

describe("ifMatchVersions", () => {
  const versions = (value?: string) => ifMatchVersions(withHeader("if-match", value));

  it("is unconditional without the header and for *", () => {
    expect(versions()).toBeUndefined();
    expect(versions("*")).toBeUndefined();
  });

  it("reads one tag and a list, with or without spaces", () => {
    expect(versions('"5"')).toEqual([5]);
    expect(versions('"5", "7","9"')).toEqual([5, 7, 9]);
  });

  it("matches nothing for weak tags and tags that are no version (strong comparison)", () => {
    expect(versions('W/"5"')).toEqual([]);
    expect(versions('"abc"')).toEqual([]);
    expect(versions('""')).toEqual([]);
    expect(versions('"-1"')).toEqual([]);
    expect(versions(`"${"9".repeat(16)}"`)).toEqual([]);
    expect(versions('W/"5", "7"')).toEqual([7]);
  });

  it.each(MALFORMED)("refuses %j with a 400 naming If-Match", (value) => {
    expect(refusedField(() => versions(value))).toBe("If-Match");
  });
});

describe("ifNoneMatchHolds", () => {
  const holds = (value?: string) => ifNoneMatchHolds(withHeader("if-none-match", value), '"5"');

  it("holds for the same tag, its weak form (weak comparison), a list naming it and *", () => {
    for (const value of ['"5"', 'W/"5"', '"4", "5"', "*"]) expect(holds(value), value).toBe(true);
  });

  it("does not hold without the header or for other tags", () => {
    for (const value of [undefined, '"4"', 'W/"6", "7"', '"55"']) expect(holds(value), value).toBe(false);
  });

  // Ignored as caches do: at worst the client gets the full answer.
  it.each(MALFORMED)("does not hold for the malformed %j", (value) => {
    expect(holds(value)).toBe(false);
  });
});

describe("notModified", () => {
  it("is a 304 with the ETag and no body", async () => {
    const response = notModified('"5"');
    expect(response.status).toBe(304);
    expect(response.headers.get("etag")).toBe('"5"');
    expect(response.body).toBeNull();
  });
});
