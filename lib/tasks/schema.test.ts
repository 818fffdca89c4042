import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  descriptionSchema,
  taskCreateSchema,
  taskListQuerySchema,
  taskParamsSchema,
  taskPatchSchema,
  taskReplaceSchema,
  titleSchema,
} from "@/lib/tasks/schema";

const EMOJI = "😀"; // one code point, two UTF-16 units
const LONE_HIGH_SURROGATE = "\uD83D";
const LONE_LOW_SURROGATE = "\uDE00";

function rejects(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  expect(result.success, `expected ${JSON.stringify(input)} to be rejected`).toBe(false);
  return result.error!.issues;
}

describe("title", () => {
  it("is trimmed", () => {
    expect(titleSchema.parse("  Write the notes \n\t")).toBe("Write the notes");
  });

  it.each(["", " ", "   \n\t "])("must not be empty after trimming (%j)", (title) => {
    rejects(titleSchema, title);
  });

  it("allows 200 characters and rejects 201", () => {
    expect(titleSchema.parse("a".repeat(200))).toHaveLength(200);
    rejects(titleSchema, "a".repeat(201));
  });

  it("counts code points, not UTF-16 units", () => {
    const title = EMOJI.repeat(200);
    expect(title.length).toBe(400);
    expect(titleSchema.parse(title)).toBe(title);
    rejects(titleSchema, EMOJI.repeat(201));
  });

  it("measures the length as sent, before trimming (the document's maxLength)", () => {
    expect(titleSchema.parse(` ${"a".repeat(198)} `)).toBe("a".repeat(198));
    rejects(titleSchema, `   ${"a".repeat(200)}   `);
    rejects(titleSchema, " ".repeat(201));
  });

  it.each([
    ["U+0000", "before\u0000after"],
    ["a lone high surrogate", `title ${LONE_HIGH_SURROGATE}`],
    ["a lone low surrogate", `${LONE_LOW_SURROGATE} title`],
  ])("rejects %s", (_name, title) => {
    rejects(titleSchema, title);
  });

  it("accepts a well-formed surrogate pair", () => {
    expect(titleSchema.parse(`${LONE_HIGH_SURROGATE}${LONE_LOW_SURROGATE}`)).toBe(EMOJI);
  });

  it.each([123, null, true, ["a"], { text: "a" }])("must be a string (%j)", (title) => {
    rejects(titleSchema, title);
  });
});

describe("description", () => {
  it("allows null and 1000 code points, rejects 1001", () => {
    expect(descriptionSchema.parse(null)).toBeNull();
    expect(descriptionSchema.parse(EMOJI.repeat(1000))).toBe(EMOJI.repeat(1000));
    rejects(descriptionSchema, EMOJI.repeat(1001));
    rejects(descriptionSchema, "d".repeat(1001));
  });

  it("allows an empty string", () => {
    expect(descriptionSchema.parse("")).toBe("");
  });

  it.each([
    ["U+0000", "a\u0000b"],
    ["a lone surrogate", `a${LONE_HIGH_SURROGATE}b`],
  ])("rejects %s", (_name, description) => {
    rejects(descriptionSchema, description);
  });
});

describe("create and replace bodies", () => {
  it.each([
    ["create", taskCreateSchema],
    ["replace", taskReplaceSchema],
  ] as const)("%s: title required, others optional", (_name, schema) => {
    expect(schema.parse({ title: " t " })).toEqual({ title: "t" });
    expect(schema.parse({ title: "t", description: null, completed: true })).toEqual({
      title: "t",
      description: null,
      completed: true,
    });
    rejects(schema, {});
    rejects(schema, { description: "no title" });
  });

  it.each(["id", "user_id", "created_at", "updated_at", "owner", "Title"])("rejects the field %s", (key) => {
    const issues = rejects(taskCreateSchema, { title: "t", [key]: 1 });
    expect(issues).toContainEqual(expect.objectContaining({ code: "unrecognized_keys", keys: [key] }));
  });

  it.each(["true", "false", 1, 0, null])("completed is not coerced (%j)", (completed) => {
    rejects(taskCreateSchema, { title: "t", completed });
  });

  it("reports every problem at once", () => {
    const issues = rejects(taskCreateSchema, { title: "", completed: "yes", extra: 1 });
    const paths = issues.map((issue) => issue.path.join("."));
    expect(paths).toContain("title");
    expect(paths).toContain("completed");
    expect(issues.some((issue) => issue.code === "unrecognized_keys")).toBe(true);
  });
});

describe("patch body", () => {
  it("must not be empty", () => {
    rejects(taskPatchSchema, {});
  });

  it.each([{ title: " new " }, { description: null }, { description: "d" }, { completed: false }])(
    "accepts the subset %j",
    (patch) => {
      expect(Object.keys(taskPatchSchema.parse(patch))).toEqual(Object.keys(patch));
    },
  );

  it("trims the title and validates every field", () => {
    expect(taskPatchSchema.parse({ title: "  x  " })).toEqual({ title: "x" });
    rejects(taskPatchSchema, { title: "   " });
    rejects(taskPatchSchema, { title: null });
    rejects(taskPatchSchema, { completed: "true" });
    rejects(taskPatchSchema, { description: "a\u0000" });
  });

  it.each(["id", "user_id", "created_at", "updated_at", "unknown"])("rejects the field %s", (key) => {
    rejects(taskPatchSchema, { [key]: 1 });
    rejects(taskPatchSchema, { title: "t", [key]: 1 });
  });
});

describe("task id", () => {
  it.each([
    ["1", 1],
    ["42", 42],
    ["2147483647", 2147483647],
  ])("parses %s", (raw, id) => {
    expect(taskParamsSchema.parse({ id: raw })).toEqual({ id });
  });

  it.each(["abc", "0", "-1", "1.5", "01", "2147483648", "99999999999", "", " 1", "1 ", "+1", "1e3", "0x10", "١"])(
    "rejects %j",
    (raw) => {
      rejects(taskParamsSchema, { id: raw });
    },
  );
});

describe("list query", () => {
  it("defaults to 50 items, newest first, no filter, no cursor", () => {
    expect(taskListQuerySchema.parse({})).toEqual({ limit: 50, sort: "created" });
  });

  it.each([
    ["1", 1],
    ["50", 50],
    ["100", 100],
  ])("limit=%s", (limit, expected) => {
    expect(taskListQuerySchema.parse({ limit }).limit).toBe(expected);
  });

  it.each(["0", "101", "1000", "-1", "1.5", "abc", "", " 5", "1e2", ["5", "6"]])("rejects limit=%j", (limit) => {
    const issues = rejects(taskListQuerySchema, { limit });
    expect(issues[0]!.path).toEqual(["limit"]);
  });

  it("completed=true / false become booleans", () => {
    expect(taskListQuerySchema.parse({ completed: "true" }).completed).toBe(true);
    expect(taskListQuerySchema.parse({ completed: "false" }).completed).toBe(false);
  });

  it.each(["1", "0", "yes", "TRUE", "", ["true", "false"]])("rejects completed=%j", (completed) => {
    const issues = rejects(taskListQuerySchema, { completed });
    expect(issues[0]!.path).toEqual(["completed"]);
  });
});
