import { and, eq, inArray, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Database } from "@/lib/db";
import { ApiError, type ErrorCode } from "@/lib/errors";

// Every query of a user-scoped resource filters by its owner: another user's row is
// indistinguishable from a missing one, and both answer the resource's own 404.

export interface OwnedTable {
  id: AnyColumn;
  userId: AnyColumn;
}

export const ownedBy = (table: OwnedTable, userId: string) => eq(table.userId, userId);

export const ownedRow = (table: OwnedTable, userId: string, id: number) => and(eq(table.id, id), eq(table.userId, userId))!;

/**
 * The user's row `id`, and with an If-Match only at one of the given versions: the write's own
 * condition, so that of concurrent writers holding one version exactly one matches.
 */
export function ownedVersion(table: OwnedTable & { changeSeq: AnyColumn }, userId: string, id: number, versions: number[] | undefined): SQL {
  if (versions === undefined) return ownedRow(table, userId, id);
  return and(ownedRow(table, userId, id), versions.length ? inArray(table.changeSeq, versions) : sql`false`)!;
}

/**
 * The row a conditional write returned, or why there is none: the resource's 404 when the row
 * is missing, 412 when it exists at another version. The extra read runs only on that path.
 */
export async function foundVersion<Row>(
  database: Database,
  table: PgTable & OwnedTable,
  row: Row | undefined,
  where: { userId: string; id: number; versions: number[] | undefined },
  notFound: ErrorCode,
): Promise<Row> {
  if (row !== undefined) return row;
  if (where.versions === undefined) throw new ApiError(notFound);
  const [current] = await database.select({ exists: sql`1` }).from(table).where(ownedRow(table, where.userId, where.id)).limit(1);
  throw new ApiError(current ? "PRECONDITION_FAILED" : notFound);
}

/** The row, or the resource's not-found error. */
export function found<Row>(row: Row | undefined, notFound: ErrorCode): Row {
  if (row === undefined) throw new ApiError(notFound);
  return row;
}

interface OwnedRow {
  id: number;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A row as its API item: id and owner, the resource's own fields, and the timestamps. */
export function ownedItem<Fields extends object>(row: OwnedRow, fields: Fields) {
  return {
    id: row.id,
    user_id: row.userId,
    ...fields,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/**
 * The timestamps of a row being written: `updated_at` strictly later than its previous value
 * even within one millisecond, so clients comparing RFC 3339 strings always see it move; and
 * `changed_at`, the server's clock, which paging compares (lib/resource/keyset.ts).
 */
export const writtenNow = (table: { updatedAt: AnyColumn }) => ({
  updatedAt: sql`greatest(now(), ${table.updatedAt} + interval '1 millisecond')`,
  changedAt: sql`now()`,
});
