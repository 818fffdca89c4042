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

/**
 * A sort: its keys, the last one unique. For a sort on a field that can change (a name, a due
 * date), `changedAt` is the row's last-change column: the first page fixes a moment, and later
 * pages hold only rows unchanged since, so a row whose key moves past the cursor can never show
 * twice. A row changed while a client pages is left for its next listing; every row unchanged
 * throughout shows exactly once. Creation order (ids) cannot change and needs none of this.
 */
export interface Sort<Row> {
  keys: SortKey<Row>[];
  changedAt?: AnyColumn;
}

/** The database's clock, to the microsecond, as the moment a first page was read. */
export const listedAt = sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function orderBy<Row>({ keys }: Sort<Row>): SQL[] {
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
export function after<Row>({ keys, changedAt }: Sort<Row>, cursor: Cursor, scope: string): SQL {
  const offset = changedAt ? 1 : 0;
  if (cursor.scope !== scope || cursor.values.length !== keys.length + offset) throw invalidCursor();
  const asOf = cursor.values[0];
  if (changedAt && !(typeof asOf === "string" && AS_OF.test(asOf))) throw invalidCursor();
  const alternatives: SQL[] = [];
  const equalSoFar: SQL[] = [];
  keys.forEach((key, i) => {
    const raw = cursor.values[i + offset]!;
    if (raw === null ? !key.nullable : !key.cursorValue.safeParse(raw).success) throw invalidCursor();
    const value = raw === null ? null : key.toParam ? key.toParam(raw) : raw;
    // drizzle's operators take a column or an expression alike; its overloads take them apart.
    const column = key.column as AnyColumn;
    const beyond = key.direction === "asc" ? gt : lt;
    // Nothing sorts after a null (nulls are last) but other nulls, which equality covers.
    if (value !== null) alternatives.push(and(...equalSoFar, key.nullable ? or(beyond(column, value), isNull(column)) : beyond(column, value))!);
    equalSoFar.push(value === null ? isNull(column) : eq(column, value));
  });
  // Keys all in one direction and never null: one row comparison, which an index on the same
  // keys takes as its range condition (the OR form above is only a filter to the planner).
  const uniform = keys.every((key) => !key.nullable && key.direction === keys[0]!.direction);
  const values = keys.map((key, i) => {
    const raw = cursor.values[i + offset]!;
    return key.toParam ? key.toParam(raw) : raw;
  });
  const beyondCursor = uniform
    ? sql`(${sql.join(keys.map((key) => sql`${key.column}`), sql`, `)}) ${sql.raw(keys[0]!.direction === "asc" ? ">" : "<")} (${sql.join(values.map((value) => sql`${value}`), sql`, `)})`
    : (or(...alternatives) ?? sql`false`);
  return changedAt ? and(beyondCursor, sql`${changedAt} <= ${asOf}::timestamptz`)! : beyondCursor;
}

const AS_OF = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

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
