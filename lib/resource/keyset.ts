import { and, eq, gt, isNull, lt, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { z } from "zod";
import { encodeCursor, type Cursor, type KeyValue } from "@/lib/resource/cursor";
import { ApiError } from "@/lib/errors";

// Keyset paging over any sort: an ORDER BY of one or more keys ending with a unique one (the
// id), and the WHERE condition "after this row" in the same order. Rows created, changed or
// deleted between pages can neither repeat nor hide another row, which offset paging cannot
// promise. Nullable keys sort their nulls last in both directions.

export interface SortKey<Row> {
  /** A column, or an expression an index is built on. */
  column: AnyColumn | SQL;
  direction: "asc" | "desc";
  nullable?: boolean;
  /** The row's value of this key, as it travels in a cursor. */
  of: (row: Row) => KeyValue;
  /** What a cursor may carry for this key (nulls are checked apart). */
  cursorValue: z.ZodType<KeyValue>;
  /** The cursor value as a query parameter (e.g. an ISO string as a Date). */
  toParam?: (value: KeyValue) => unknown;
}

export function orderBy<Row>(keys: SortKey<Row>[]): SQL[] {
  return keys.map(({ column, direction, nullable }) =>
    nullable ? sql`${column} ${sql.raw(direction)} nulls last` : sql`${column} ${sql.raw(direction)}`,
  );
}

function invalidCursor(): ApiError {
  return new ApiError("VALIDATION_ERROR", undefined, {
    errors: [{ path: "cursor", message: "is not a cursor returned by this API for this sort and these filters" }],
  });
}

/**
 * Rows strictly after the cursor's row in `orderBy(keys)` order; a cursor made for another
 * scope (sort and filters) or with values of the wrong shape is a validation error.
 */
export function after<Row>(keys: SortKey<Row>[], cursor: Cursor, scope: string): SQL {
  if (cursor.scope !== scope || cursor.values.length !== keys.length) throw invalidCursor();
  const alternatives: SQL[] = [];
  const equalSoFar: SQL[] = [];
  keys.forEach((key, i) => {
    const raw = cursor.values[i]!;
    if (raw === null ? !key.nullable : !key.cursorValue.safeParse(raw).success) throw invalidCursor();
    const value = raw === null ? null : key.toParam ? key.toParam(raw) : raw;
    // drizzle's operators take a column or an expression alike; its overloads take them apart.
    const column = key.column as AnyColumn;
    const beyond = key.direction === "asc" ? gt : lt;
    // Nothing sorts after a null (nulls are last) but other nulls, which equality covers.
    if (value !== null) alternatives.push(and(...equalSoFar, key.nullable ? or(beyond(column, value), isNull(column)) : beyond(column, value))!);
    equalSoFar.push(value === null ? isNull(column) : eq(column, value));
  });
  return or(...alternatives) ?? sql`false`;
}

/** One page from `limit + 1` rows fetched in order: the items, and a cursor if more follow. */
export function pageOf<Row, Item>(rows: Row[], limit: number, keys: SortKey<Row>[], scope: string, toItem: (row: Row) => Item) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit && last !== undefined;
  return {
    items: page.map(toItem),
    next_cursor: more ? encodeCursor({ scope, values: keys.map((key) => key.of(last)) }) : null,
  };
}
