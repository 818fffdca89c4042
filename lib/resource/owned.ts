import { and, eq, type AnyColumn } from "drizzle-orm";
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
