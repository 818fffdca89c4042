import { z } from "zod";

// Better Auth validates these requests itself; the schemas describe its contract for the
// OpenAPI document and the typed client (and check its responses in the test suite).
const email = z.email().meta({ example: "ada@example.com" });
const password = z.string().min(8).max(128).meta({ example: "correct horse battery staple" });
const timestamp = z.iso.datetime();

export const signUpBodySchema = z.object({
  name: z.string().min(1).meta({ example: "Ada Lovelace" }),
  email,
  password,
  image: z.string().optional(),
  callbackURL: z.string().optional(),
  rememberMe: z.boolean().optional(),
});

export const signInBodySchema = z.object({
  email,
  password,
  callbackURL: z.string().optional(),
  rememberMe: z.boolean().optional(),
});

export const authUserSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    emailVerified: z.boolean(),
    image: z.string().nullable().optional(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "User" });

export const sessionTokenSchema = z.string().meta({
  description: "Session token: send it as `Authorization: Bearer <token>`",
  example: "g0mVxfLu7tIqmo7eM8dZCyt1nZtiCKVO",
});

export const signUpResponseSchema = z
  .object({ token: sessionTokenSchema.nullable(), user: authUserSchema })
  .meta({ id: "SignUpResponse" });

export const signInResponseSchema = z
  .object({
    redirect: z.boolean(),
    token: sessionTokenSchema,
    url: z.string().nullable().optional(),
    user: authUserSchema,
  })
  .meta({ id: "SignInResponse" });

export const signOutResponseSchema = z.object({ success: z.boolean() }).meta({ id: "SignOutResponse" });

export const sessionResponseSchema = z
  .object({
    session: z.object({
      id: z.string(),
      userId: z.string(),
      token: z.string(),
      expiresAt: timestamp,
      createdAt: timestamp,
      updatedAt: timestamp,
      ipAddress: z.string().nullable().optional(),
      userAgent: z.string().nullable().optional(),
    }),
    user: authUserSchema,
  })
  .nullable()
  .meta({ id: "SessionResponse" });
