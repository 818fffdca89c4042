import { createHash } from "node:crypto";
import { api, type TestUser } from "./api";

// API keys for the integration suite, created the way a client does: with a signed-in session,
// through Better Auth's api-key plugin at POST /api/auth/api-key/create.
export interface CreatedApiKey {
  id: string;
  key: string;
  name: string | null;
  start: string | null;
  prefix: string | null;
  referenceId: string;
  enabled: boolean;
  permissions: Record<string, string[]> | null;
  expiresAt: string | null;
  lastRequest: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKeyBody {
  name?: string;
  scope?: "read" | "read-write";
  expiresIn?: number | null;
  [field: string]: unknown;
}

export async function createApiKey(user: Pick<TestUser, "token">, body: ApiKeyBody = {}): Promise<CreatedApiKey> {
  const response = await api("POST", "/api/auth/api-key/create", { token: user.token, json: { name: "test key", ...body } });
  if (response.status !== 200) throw new Error(`api-key create failed: ${response.status} ${response.text}`);
  return response.body;
}

/** The two ways a key is sent: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export type KeyTransport = "bearer" | "x-api-key";

export function keyOptions(key: string, via: KeyTransport = "bearer"): { token?: string; headers?: Record<string, string> } {
  return via === "bearer" ? { token: key } : { headers: { "x-api-key": key } };
}

/** What the server stores for a key: SHA-256 of the key, base64url without padding. */
export function apiKeyHash(key: string): string {
  return createHash("sha256").update(key).digest("base64url");
}
