import { z } from "zod";

// Better Auth validates these requests itself; the schemas describe its contract for the
// OpenAPI document and the typed client (and check its responses in the test suite).
//
// Better Auth sets no length limit on any of these fields except the password (8 to 128 UTF-16
// units), so the limits below are the API's own: `signUpLimitsSchema` and `signInLimitsSchema`
// hold a request to them before Better Auth sees it. Lengths are Unicode code points, which is
// what JSON Schema's maxLength counts (zod's `.max()` counts UTF-16 units).
export const NAME_MAX = 100;
export const EMAIL_MAX = 254; // the longest address SMTP can carry (RFC 5321 path limit)
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const URL_MAX = 2048;

const codePoints = (value: string) => [...value].length;
const tooLong = (max: number) => `must be at most ${max} characters`;

/** A string of at most `max` code points, documented as `maxLength: max`. */
const text = (max: number) =>
  z
    .string()
    .refine((value) => codePoints(value) <= max, tooLong(max))
    .meta({ maxLength: max });

const email = z
  .email()
  .refine((value) => codePoints(value) <= EMAIL_MAX, tooLong(EMAIL_MAX))
  .meta({ maxLength: EMAIL_MAX, example: "ada@example.com" });
const password = (min: number) =>
  z
    .string()
    .refine((value) => codePoints(value) >= min, `must be at least ${min} characters`)
    .refine((value) => codePoints(value) <= PASSWORD_MAX, tooLong(PASSWORD_MAX))
    .meta({ minLength: min, maxLength: PASSWORD_MAX, example: "correct horse battery staple" });
const callbackURL = text(URL_MAX).meta({ description: "Where Better Auth sends the browser afterwards (same-origin or trusted)" });

// Timestamps are written by Better Auth as `Date#toISOString()`: 24 characters (27 for years
// past 9999).
const timestamp = z.iso.datetime().meta({ maxLength: 30 });
// Better Auth's ids (users, sessions) are 32 random letters and digits.
const id = z.string().meta({ maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" });

export const signUpBodySchema = z.object({
  name: text(NAME_MAX).min(1).meta({ maxLength: NAME_MAX, minLength: 1, example: "Ada Lovelace" }),
  email,
  password: password(PASSWORD_MIN),
  image: text(URL_MAX).optional().meta({ description: "A URL of the user's picture; stored as given" }),
  callbackURL: callbackURL.optional(),
  rememberMe: z.boolean().optional(),
});

export const signInBodySchema = z.object({
  email,
  // The password policy is sign-up's; sign-in only bounds the length.
  password: password(1),
  callbackURL: callbackURL.optional(),
  rememberMe: z.boolean().optional(),
});

/** `POST /api/auth/sign-out` ignores its body: clients send `{}` or nothing at all. */
export const signOutBodySchema = z.strictObject({}).meta({ description: "Empty: `{}`. The body may also be left out." });

/**
 * Guards for the sign-up and sign-in bodies, run before Better Auth (the operations' `guard`):
 * they refuse a string longer than the document's maxLength with 400 VALIDATION_ERROR and
 * pass everything else through unchanged, so that missing, mistyped or malformed fields still
 * get Better Auth's own answers.
 */
const atMost = (max: number) =>
  z
    .unknown()
    .refine((value) => typeof value !== "string" || codePoints(value) <= max, tooLong(max))
    .optional();

export const signUpLimitsSchema = z.looseObject({
  name: atMost(NAME_MAX),
  email: atMost(EMAIL_MAX),
  password: atMost(PASSWORD_MAX),
  image: atMost(URL_MAX),
  callbackURL: atMost(URL_MAX),
});

export const signInLimitsSchema = z.looseObject({
  email: atMost(EMAIL_MAX),
  password: atMost(PASSWORD_MAX),
  callbackURL: atMost(URL_MAX),
});

export const authUserSchema = z
  .object({
    id,
    name: z.string().meta({ maxLength: NAME_MAX }),
    email: z.string().meta({ maxLength: EMAIL_MAX, format: "email" }),
    emailVerified: z.boolean(),
    image: z.string().meta({ maxLength: URL_MAX }).nullable().optional(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "User" });

// Better Auth's session tokens are 32 random letters and digits; the API accepts 16 to 255
// characters of this alphabet as a bearer token.
export const sessionTokenSchema = z.string().meta({
  description: "Session token: send it as `Authorization: Bearer <token>`",
  maxLength: 255,
  pattern: "^[A-Za-z0-9_-]+$",
  example: "g0mVxfLu7tIqmo7eM8dZCyt1nZtiCKVO",
});

export const signUpResponseSchema = z
  .object({ token: sessionTokenSchema.nullable(), user: authUserSchema })
  .meta({ id: "SignUpResponse" });

export const signInResponseSchema = z
  .object({
    redirect: z.boolean(),
    token: sessionTokenSchema,
    url: z.string().meta({ maxLength: URL_MAX, description: "The `callbackURL` sent, if any" }).nullable().optional(),
    user: authUserSchema,
  })
  .meta({ id: "SignInResponse" });

export const signOutResponseSchema = z.object({ success: z.boolean() }).meta({ id: "SignOutResponse" });

export const sessionResponseSchema = z
  .object({
    session: z.object({
      id,
      userId: id,
      token: sessionTokenSchema,
      expiresAt: timestamp,
      createdAt: timestamp,
      updatedAt: timestamp,
      // An IPv6 address is at most 45 characters.
      ipAddress: z.string().meta({ maxLength: 64 }).nullable().optional(),
      // The User-Agent header as received; HTTP servers refuse request headers this long.
      userAgent: z.string().meta({ maxLength: 32_768 }).nullable().optional(),
    }),
    user: authUserSchema,
  })
  .nullable()
  .meta({ id: "SessionResponse" });
