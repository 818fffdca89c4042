import { and, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { z } from "zod";
import { encodeCursor, type Cursor, type KeyValue } from "@/lib/resource/cursor";
import { ApiError } from "@/lib/errors";

// Keyset paging over any sort: an ORDER BY of one or more keys, all in one direction, the last
// one unique (the id), and the WHERE condition "after this row" as one row comparison, which an
// index on the same keys takes as the start of its range: every page is an index range read,
// however deep. Rows created, changed or deleted between pages can neither repeat nor hide
// another row, which offset paging cannot promise. A key must never be null (a nullable field
// sorts through coalesce(), as the due date does).

export interface SortKey<Row> {
  /** A column, or the expression an index is built on. */
  column: AnyColumn | SQL;
  /** The row's value of this key, as it travels in a cursor. */
  of: (row: Row) => KeyValue;
  /** What a cursor may carry for this key. */
  cursorValue: z.ZodType<KeyValue>;
}

/**
 * A sort: its direction and keys, the last one unique. For a sort on a field that can change (a
 * name, a due date), `changedAt` is the row's last-change column: the first page fixes a
 * moment, and later pages hold only rows unchanged since, so a row whose key moves past the
 * cursor can never show twice. A row changed while a client pages is left for its next listing;
 * every row unchanged throughout shows exactly once. Creation order (ids) cannot change and
 * needs none of this.
 */
export interface Sort<Row> {
  direction: "asc" | "desc";
  keys: SortKey<Row>[];
  changedAt?: AnyColumn;
}

/** The database's clock, to the microsecond, as the moment a first page was read. */
export const listedAt = sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function orderBy<Row>({ direction, keys }: Sort<Row>): SQL[] {
  return keys.map(({ column }) => sql`${column} ${sql.raw(direction)}`);
}

function invalidCursor(): ApiError {
  return new ApiError("VALIDATION_ERROR", undefined, {
    errors: [{ path: "cursor", message: "is not a cursor returned by this API for this sort and these filters" }],
  });
}

const AS_OF = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/**
 * Rows strictly after the cursor's row in `orderBy(sort)` order; a cursor made for another
 * scope (sort and filters) or with values of the wrong shape is a validation error.
 */
export function after<Row>({ direction, keys, changedAt }: Sort<Row>, cursor: Cursor, scope: string): SQL {
  const values = changedAt ? cursor.values.slice(1) : cursor.values;
  const asOf = cursor.values[0];
  if (cursor.scope !== scope || values.length !== keys.length) throw invalidCursor();
  if (changedAt && !(typeof asOf === "string" && AS_OF.test(asOf))) throw invalidCursor();
  if (!keys.every((key, i) => key.cursorValue.safeParse(values[i]).success)) throw invalidCursor();
  const columns = sql.join(keys.map((key) => sql`${key.column}`), sql`, `);
  const beyond = sql`(${columns}) ${sql.raw(direction === "asc" ? ">" : "<")} (${sql.join(values.map((value) => sql`${value}`), sql`, `)})`;
  return changedAt ? and(beyond, sql`${changedAt} <= ${asOf}::timestamptz`)! : beyond;
}

/**
 * One page from `limit + 1` rows fetched in order: the items, and a cursor if more follow.
 * For a sort with `changedAt`, the rows carry `listedAt` and the cursor keeps the first page's.
 */
export function pageOf<Row, Item>(
  rows: (Row & { listedAt?: string })[],
  limit: number,
  { keys, changedAt }: Sort<Row>,
  query: { cursor?: Cursor },
  scope: string,
  toItem: (row: Row) => Item,
) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit && last !== undefined;
  const asOf = query.cursor?.values[0] ?? last?.listedAt ?? null;
  const values = [...(changedAt ? [asOf] : []), ...(last ? keys.map((key) => key.of(last)) : [])];
  return { items: page.map(toItem), next_cursor: more ? encodeCursor({ scope, values }) : null };
}
