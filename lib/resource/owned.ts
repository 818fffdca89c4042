import { and, eq, sql, type AnyColumn } from "drizzle-orm";
import { ApiError, type ErrorCode } from "@/lib/errors";

// Every query of a user-scoped resource filters by its owner: another user's row is
// indistinguishable from a missing one, and both answer the resource's own 404.

export interface OwnedTable {
  id: AnyColumn;
  userId: AnyColumn;
}

export const ownedBy = (table: OwnedTable, userId: string) => eq(table.userId, userId);

export const ownedRow = (table: OwnedTable, userId: string, id: number) => and(eq(table.id, id), eq(table.userId, userId))!;

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
