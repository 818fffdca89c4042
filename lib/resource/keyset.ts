import { and, sql, type AnyColumn, type SQL, type SQLWrapper } from "drizzle-orm";
import type { z } from "zod";
import { encodeCursor, type Cursor, type KeyValue } from "@/lib/resource/cursor";
import { ApiError } from "@/lib/errors";

// Keyset paging over any sort: an ORDER BY of one or more keys, all in one direction, the last
// one unique (the id), and the WHERE condition "after this row" as one row comparison, which an
// index on the same keys takes as the start of its range: every page is an index range read,
// however deep. Rows created, changed or deleted between pages can neither repeat nor hide
// another row, which offset paging cannot promise. A key must never be null (a nullable field
// sorts through coalesce(), as the due date does).

export interface SortKey {
  /** A column, or the expression an index is built on. */
  column: AnyColumn | SQL;
  /** The row's value of this key as the cursor carries it (JSON: a number or a string). */
  value: SQLWrapper;
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
export interface Sort {
  direction: "asc" | "desc";
  keys: SortKey[];
  changedAt?: AnyColumn;
}

/** The database's clock, to the microsecond, as the moment a first page was read. */
export const listedAt = sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function orderBy({ direction, keys }: Sort): SQL[] {
  return keys.map(({ column }) => sql`${column} ${sql.raw(direction)}`);
}

function invalidCursor(): ApiError {
  return new ApiError("VALIDATION_ERROR", undefined, {
    errors: [{ path: "cursor", message: "is not a cursor returned by this API for this sort and these filters" }],
  });
}

const AS_OF = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/**
 * The condition "strictly after the cursor's row in `orderBy(sort)` order", its values left as
 * placeholders (`after0`…, and `asOf`), which cursorValues gives.
 */
export function afterCursor({ direction, keys, changedAt }: Sort): SQL {
  const columns = sql.join(keys.map((key) => sql`${key.column}`), sql`, `);
  const values = sql.join(keys.map((_, i) => sql`${sql.placeholder(`after${i}`)}`), sql`, `);
  const beyond = sql`(${columns}) ${sql.raw(direction === "asc" ? ">" : "<")} (${values})`;
  return changedAt ? and(beyond, sql`${changedAt} <= ${sql.placeholder("asOf")}::timestamptz`)! : beyond;
}

/** afterCursor's values for a cursor; one made for another scope (sort and filters), or of the wrong shape, is a 400. */
export function cursorValues({ keys, changedAt }: Sort, cursor: Cursor, scope: string): Record<string, KeyValue> {
  const values = changedAt ? cursor.values.slice(1) : cursor.values;
  const asOf = cursor.values[0];
  if (cursor.scope !== scope || values.length !== keys.length) throw invalidCursor();
  if (changedAt && !(typeof asOf === "string" && AS_OF.test(asOf))) throw invalidCursor();
  if (!keys.every((key, i) => key.cursorValue.safeParse(values[i]).success)) throw invalidCursor();
  return Object.fromEntries([...values.map((value, i) => [`after${i}`, value]), ...(changedAt ? [["asOf", asOf]] : [])]);
}

/**
 * The columns of a page query's rows besides the item: their keys (for the cursor), their order
 * `n`, and for a sort with `changedAt`, the moment of reading.
 */
export function pageColumns(sort: Sort) {
  return {
    keys: sql<string>`json_build_array(${sql.join(sort.keys.map((key) => key.value.getSQL()), sql`, `)})::text`,
    n: sql<number>`row_number() over (order by ${sql.join(orderBy(sort), sql`, `)})`,
    ...(sort.changedAt ? { listed_at: listedAt } : {}),
  };
}

/**
 * The row `d` of a page, from a query of `limit + 1` rows with `item` and pageColumns: the first
 * `size` items as one JSON array, whether more follow, and the last item's keys (and moment). One
 * row for the driver to read rather than one per item.
 */
export function pageRows(sort: Sort, query: SQLWrapper): SQL {
  const size = sql.placeholder("size");
  return sql`page as (${query.getSQL()}), d as (
    select '[' || coalesce(string_agg(item, ',' order by n) filter (where n <= ${size}), '') || ']' as item,
      count(*) > ${size} as more, min(keys) filter (where n = ${size}) as keys${sort.changedAt ? sql`, min(listed_at) as listed_at` : sql``}
    from page)`;
}

export interface PageRow {
  item: string;
  more: boolean;
  keys: string | null;
  listed_at?: string;
}

/**
 * One page as JSON text: the items, and a cursor if more follow. For a sort with `changedAt`,
 * the cursor keeps the first page's moment.
 */
export function pageOf([row]: PageRow[], { changedAt }: Sort, query: { cursor?: Cursor }, scope: string): string {
  let cursor: string | null = null;
  if (row?.more && row.keys !== null) {
    const asOf = query.cursor?.values[0] ?? row.listed_at ?? null;
    cursor = encodeCursor({ scope, values: [...(changedAt ? [asOf] : []), ...(JSON.parse(row.keys) as KeyValue[])] });
  }
  return `{"items":${row?.item ?? "[]"},"next_cursor":${JSON.stringify(cursor)}}`;
}
