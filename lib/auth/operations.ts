import {
  apiKeyCreateBodySchema,
  apiKeyCreatedSchema,
  apiKeyDeleteBodySchema,
  apiKeyDeletedSchema,
  apiKeyListSchema,
  apiKeySchema,
  apiKeyUpdateBodySchema,
} from "@/lib/auth/api-keys";
import {
  sessionResponseSchema,
  signInBodySchema,
  signInLimitsSchema,
  signInResponseSchema,
  signOutBodySchema,
  signOutResponseSchema,
  signUpBodySchema,
  signUpLimitsSchema,
  signUpResponseSchema,
} from "@/lib/auth/schema";
import { externalOperation, type HeaderSpec } from "@/lib/http/operation";

// The endpoints served under /api/auth, by Better Auth. Only these are let through (lib/auth/
// handler.ts); any other Better Auth endpoint answers 404 until it is declared here.

const sessionHeaders: Record<string, HeaderSpec> = {
  "set-auth-token": {
    description: "The session token, signed (`<token>.<signature>`); usable as a bearer token",
    schema: { type: "string", maxLength: 512, pattern: "^[A-Za-z0-9_-]+\\.[A-Za-z0-9%+/=]+$" },
  },
  "Set-Cookie": {
    description: "The session cookie, for browsers",
    schema: { type: "string", maxLength: 4096, pattern: "^(__Secure-)?better-auth\\." },
  },
};

const keyNotes = {
  UNAUTHORIZED: "no signed-in session: API keys are managed with a session token or cookie, never with an API key",
} as const;
const unknownKey = { ...keyNotes, NOT_FOUND: "no key with this `keyId` belongs to you" } as const;

export const signUpOperation = externalOperation({
  method: "POST",
  path: "/api/auth/sign-up/email",
  operationId: "signUpEmail",
  tag: "Auth",
  auth: "public",
  summary: "Create an account and a session",
  description: "No authentication. Signs the new user in: the answer carries a session token and cookie.",
  body: signUpBodySchema,
  guard: signUpLimitsSchema,
  errors: ["USER_ALREADY_EXISTS"],
  response: { status: 200, description: "Signed up and signed in", schema: signUpResponseSchema, headers: sessionHeaders },
});

export const signInOperation = externalOperation({
  method: "POST",
  path: "/api/auth/sign-in/email",
  operationId: "signInEmail",
  tag: "Auth",
  auth: "public",
  summary: "Sign in and get a session token",
  description: "No authentication. A wrong password and an unknown email answer the same 401.",
  body: signInBodySchema,
  guard: signInLimitsSchema,
  errors: ["UNAUTHORIZED"],
  notes: { UNAUTHORIZED: "wrong email or password" },
  response: { status: 200, description: "Signed in", schema: signInResponseSchema, headers: sessionHeaders },
});

export const signOutOperation = externalOperation({
  method: "POST",
  path: "/api/auth/sign-out",
  operationId: "signOut",
  tag: "Auth",
  auth: "optional-session",
  summary: "End the current session",
  description: "The token and cookie stop working at once. Idempotent; the body is optional.",
  body: signOutBodySchema,
  bodyOptional: true,
  response: { status: 200, description: "Signed out", schema: signOutResponseSchema },
});

export const getSessionOperation = externalOperation({
  method: "GET",
  path: "/api/auth/get-session",
  operationId: "getSession",
  tag: "Auth",
  auth: "optional-session",
  summary: "The current session and user, or null",
  description: "Without valid credentials the answer is 200 with `null`, not 401.",
  response: { status: 200, description: "The session, or null when signed out", schema: sessionResponseSchema },
});

export const createApiKeyOperation = externalOperation({
  method: "POST",
  path: "/api/auth/api-key/create",
  operationId: "createApiKey",
  tag: "API keys",
  auth: "session",
  summary: "Create an API key",
  description:
    "Needs a signed-in session. The answer is the only time the key itself (`key`) is shown. " +
    "Send it as `x-api-key: <key>` or `Authorization: Bearer <key>` on the task operations.",
  body: apiKeyCreateBodySchema,
  guard: apiKeyCreateBodySchema,
  notes: keyNotes,
  response: { status: 200, description: "The new key, with the key itself", schema: apiKeyCreatedSchema },
});

export const listApiKeysOperation = externalOperation({
  method: "GET",
  path: "/api/auth/api-key/list",
  operationId: "listApiKeys",
  tag: "API keys",
  auth: "session",
  summary: "List your API keys",
  description: "Needs a signed-in session. The keys themselves are never shown again: `start` helps recognise one.",
  notes: keyNotes,
  response: { status: 200, description: "Your keys", schema: apiKeyListSchema },
});

export const updateApiKeyOperation = externalOperation({
  method: "POST",
  path: "/api/auth/api-key/update",
  operationId: "updateApiKey",
  tag: "API keys",
  auth: "session",
  summary: "Rename, disable, enable or change the expiry of an API key",
  description: "Needs a signed-in session. A disabled key answers 401 on its very next request.",
  body: apiKeyUpdateBodySchema,
  guard: apiKeyUpdateBodySchema,
  errors: ["NOT_FOUND"],
  notes: unknownKey,
  response: { status: 200, description: "The key as updated", schema: apiKeySchema },
});

export const deleteApiKeyOperation = externalOperation({
  method: "POST",
  path: "/api/auth/api-key/delete",
  operationId: "deleteApiKey",
  tag: "API keys",
  auth: "session",
  summary: "Delete an API key",
  description: "Needs a signed-in session. The key answers 401 on its very next request.",
  body: apiKeyDeleteBodySchema,
  guard: apiKeyDeleteBodySchema,
  errors: ["NOT_FOUND"],
  notes: unknownKey,
  response: { status: 200, description: "Deleted", schema: apiKeyDeletedSchema },
});

export const AUTH_OPERATIONS = [
  signUpOperation,
  signInOperation,
  signOutOperation,
  getSessionOperation,
  createApiKeyOperation,
  listApiKeysOperation,
  updateApiKeyOperation,
  deleteApiKeyOperation,
];
