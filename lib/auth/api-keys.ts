import { createHash } from "node:crypto";
import { apiKey } from "@better-auth/api-key";
import { count, eq } from "drizzle-orm";
import { z } from "zod";
import { db } from "@/lib/db";
import { apikeys } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";

// Long-lived credentials for scripts and integrations, managed by Better Auth's api-key plugin
// at its standard endpoints (/api/auth/api-key/*). The plugin creates, lists, updates and
// deletes keys; requests are authenticated by lib/auth/session.ts, which looks the key's hash
// up in the same statement as the user, the write counter and the data. The plugin's own
// verify path is never used on requests: it writes the key row two or three times per call.

export const API_KEY_PREFIX = "tk_";
const KEY_LENGTH = 48;
const NAME_MAX = 32;
/** Keys one user may hold: the list answers them all at once. */
export const API_KEYS_MAX = 100;
const DAY_S = 86_400;
const EXPIRES_IN_MIN_S = DAY_S;
const EXPIRES_IN_MAX_S = 365 * DAY_S;

/** What a key may do: `read` keys only read; `read-write` keys also create, change and delete. */
export const API_KEY_SCOPES = ["read", "read-write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

// Stored as the plugin's `permissions` JSON; the auth statement checks `tasks` for `write`.
export const SCOPE_PERMISSIONS: Record<ApiKeyScope, Record<string, string[]>> = {
  read: { tasks: ["read"] },
  "read-write": { tasks: ["read", "write"] },
};

/** Set by the auth handler on key creation, after stripping any value a client sent. */
export const SCOPE_HEADER = "x-task-api-key-scope";

function scopeOf(headers: Headers | undefined): ApiKeyScope {
  return headers?.get(SCOPE_HEADER) === "read-write" ? "read-write" : "read";
}

export function apiKeyPlugin() {
  return apiKey({
    defaultPrefix: API_KEY_PREFIX,
    defaultKeyLength: KEY_LENGTH,
    // The plugin counts UTF-16 units; NAME_MAX code points, checked first, is the real limit.
    maximumNameLength: 2 * NAME_MAX,
    keyExpiration: { minExpiresIn: EXPIRES_IN_MIN_S / DAY_S, maxExpiresIn: EXPIRES_IN_MAX_S / DAY_S },
    // Limits are the API's own (per user, in request_counters), not the plugin's per-key ones.
    rateLimit: { enabled: false },
    // The plugin lets only the server set `permissions`; the scope the client asked for was
    // validated by lib/auth/handler.ts and handed over in SCOPE_HEADER (never the client's own).
    permissions: { defaultPermissions: (_userId, ctx) => SCOPE_PERMISSIONS[scopeOf(ctx?.headers)] },
  });
}

/** The stored form of a key: the plugin's hash (SHA-256, base64url without padding). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("base64url");
}

/** The key in `x-api-key`, or a bearer credential that has the key prefix. */
export function apiKeyOf(request: Request, bearer: string | null): string | null {
  const header = request.headers.get("x-api-key");
  if (header !== null) return header.trim();
  return bearer?.startsWith(API_KEY_PREFIX) ? bearer : null;
}

// The request and response contract of the plugin's endpoints as this API exposes them. Bodies
// are strict: the plugin would silently fall back or ignore fields a client did not mean to send.
const keyId = z.string().min(1).max(64).meta({ description: "The key's id (not the key itself)", example: "r2W0kFvTqZ1kHn8cQ4yX" });
const name = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .refine((value) => [...value].length <= NAME_MAX, `must be at most ${NAME_MAX} characters`)
  .meta({ maxLength: NAME_MAX, description: `1 to ${NAME_MAX} characters`, example: "nightly export" });
const expiresIn = z
  .int("must be a whole number of seconds")
  .min(EXPIRES_IN_MIN_S, `must be at least ${EXPIRES_IN_MIN_S} (1 day)`)
  .max(EXPIRES_IN_MAX_S, `must be at most ${EXPIRES_IN_MAX_S} (365 days)`)
  .nullable()
  .meta({ description: "Seconds until the key expires (1 day to 365 days); null or absent: never", example: 2_592_000 });

export const apiKeyCreateBodySchema = z.strictObject({
  name,
  scope: z.enum(API_KEY_SCOPES).default("read-write").meta({ description: "`read` keys cannot create, change or delete" }),
  expiresIn: expiresIn.optional(),
});

export const apiKeyUpdateBodySchema = z
  .strictObject({
    keyId,
    name: name.optional(),
    enabled: z.boolean().optional().meta({ description: "false disables the key at once; true enables it again" }),
    expiresIn: expiresIn.optional(),
  })
  .refine((body) => Object.keys(body).length > 1, "must change at least one of name, enabled, expiresIn");

export const apiKeyDeleteBodySchema = z.strictObject({ keyId });

const timestamp = z.iso.datetime();
const nullableTimestamp = timestamp.nullable();

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    start: z.string().nullable().meta({ description: "The first characters of the key, to recognise it", example: "tk_AbC" }),
    prefix: z.string().nullable().meta({ example: API_KEY_PREFIX }),
    referenceId: z.string().meta({ description: "The owner's user id" }),
    enabled: z.boolean(),
    permissions: z.record(z.string(), z.array(z.string())).nullable().meta({
      description: 'The scope: `{"tasks": ["read"]}` or `{"tasks": ["read", "write"]}`',
    }),
    expiresAt: nullableTimestamp,
    lastRequest: nullableTimestamp.meta({ description: "When the key was last used, to within about a minute" }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "ApiKey" });

export const apiKeyCreatedSchema = apiKeySchema
  .extend({ key: z.string().meta({ description: "The key itself. Shown only in this response: store it now", example: "tk_Vb2..." }) })
  .meta({ id: "ApiKeyCreated" });

export const apiKeyListSchema = z
  .object({ apiKeys: z.array(apiKeySchema), total: z.int().min(0) })
  .meta({ id: "ApiKeyList" });

export const apiKeyDeletedSchema = z.object({ success: z.boolean() }).meta({ id: "ApiKeyDeleted" });

export type ApiKeyCreateBody = z.infer<typeof apiKeyCreateBodySchema>;

/** Refuses a new key for a user who already holds API_KEYS_MAX of them. */
export async function assertRoomForAnotherKey(userId: string) {
  const [row] = await (await db()).select({ keys: count() }).from(apikeys).where(eq(apikeys.referenceId, userId));
  if ((row?.keys ?? 0) >= API_KEYS_MAX) {
    throw new ApiError("VALIDATION_ERROR", undefined, {
      errors: [{ path: "body", message: `at most ${API_KEYS_MAX} API keys per user: delete one first` }],
    });
  }
}
