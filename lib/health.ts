import { database } from "@/lib/db";
import { DatabaseTimeoutError } from "@/lib/db/failures";
import { hasPendingMigrations } from "@/lib/db/migrate";
import { ApiError } from "@/lib/errors";
import { isDatabaseUnavailable } from "@/lib/db/failures";

export const HEALTH_PROBE_TIMEOUT_MS = 2000;

export interface Health {
  status: "ok";
  database: "ok";
  driver: string;
  migrations: "up_to_date" | "pending";
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeoutError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One bounded query that both proves the database answers and tells if migrations are pending. */
export async function checkHealth(): Promise<Health> {
  try {
    return await withTimeout(
      (async () => {
        const handle = await database();
        const pending = await hasPendingMigrations(handle.db);
        return { status: "ok", database: "ok", driver: handle.driver, migrations: pending ? "pending" : "up_to_date" } as const;
      })(),
      HEALTH_PROBE_TIMEOUT_MS,
    );
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw new ApiError("DATABASE_UNAVAILABLE");
    throw error;
  }
}
