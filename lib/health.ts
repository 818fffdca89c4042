import { z } from "zod";
import { databaseHandle } from "@/lib/db";
import { DRIVERS } from "@/lib/db/drivers";
import { DatabaseTimeoutError, isDatabaseUnavailable } from "@/lib/db/failures";
import { hasPendingMigrations } from "@/lib/db/migrations";
import { ApiError } from "@/lib/errors";
import { publicOperation } from "@/lib/http/operation";

export const HEALTH_PROBE_TIMEOUT_MS = 2000;

export const healthSchema = z
  .object({
    status: z.literal("ok"),
    database: z.literal("ok"),
    driver: z.enum(DRIVERS),
    migrations: z.enum(["up_to_date", "pending"]).meta({ description: "Whether this build ships migrations the database lacks" }),
  })
  .meta({ id: "Health" });

export type Health = z.infer<typeof healthSchema>;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeoutError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One bounded query that both proves the database answers and tells if migrations are pending.
 * Opening the client is not bounded: for servers it is lazy and instant, and an embedded
 * database's first open (initdb, migrations) is slow but local.
 */
export async function checkHealth(): Promise<Health> {
  try {
    const handle = await databaseHandle();
    const pending = await withTimeout(hasPendingMigrations(handle.db), HEALTH_PROBE_TIMEOUT_MS);
    return { status: "ok", database: "ok", driver: handle.driver, migrations: pending ? "pending" : "up_to_date" };
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw new ApiError("DATABASE_UNAVAILABLE");
    throw error;
  }
}

export const getHealthOperation = publicOperation({
  method: "GET",
  path: "/api/health",
  operationId: "getHealth",
  tag: "Health",
  summary: "Check the database and pending migrations",
  description: "No authentication. The database probe is bounded to about 2 s.",
  response: { status: 200, description: "The database answers", schema: healthSchema },
  handler: async () => Response.json(await checkHealth(), { headers: { "Cache-Control": "no-store" } }),
});
