import { and, Column, eq, getTableColumns, getTableName, is, sql, type AnyColumn, type SQL, type SQLWrapper } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Caller, OwnedRow, OwnedStatement } from "@/lib/auth/caller";
import { ApiError, type ErrorCode } from "@/lib/errors";

// Every statement of a user-scoped resource filters by its owner, the caller (lib/auth/caller.ts):
// another user's row is indistinguishable from a missing one, and both answer the resource's own
// 404. Items are formatted as JSON by the database, in the statement that reads or writes them,
// and sent on as they come: no row mapping, no date conversion in the server.

export interface OwnedTable {
  id: AnyColumn;
  userId: AnyColumn;
  createdAt: AnyColumn;
  updatedAt: AnyColumn;
}

/** The caller's row with the id given as `id`. */
export const ownedRow = (table: OwnedTable, owner: SQL | string) => and(eq(table.id, sql.placeholder("id")), eq(table.userId, owner))!;

/** A timestamp as RFC 3339 in UTC to the millisecond, exactly as Date.toISOString() writes it. */
export const isoTime = (value: SQLWrapper) => sql`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A row's API item as JSON text (`row_to_json`, compact, keys in this order): id and owner, the
 * resource's own fields (API name → SQL), and the timestamps.
 */
export function ownedItem(table: OwnedTable, fields: Record<string, SQLWrapper>): SQL {
  const all = { id: table.id, user_id: table.userId, ...fields, created_at: isoTime(table.createdAt), updated_at: isoTime(table.updatedAt) };
  return sql`(select row_to_json(item)::text from (select ${selectList(all)}) as item)`;
}

/** `expression as "name", …` for a select list. */
const selectList = (columns: Record<string, SQLWrapper>) =>
  sql.join(
    Object.entries(columns).map(([name, value]) => sql`${value} as ${sql.identifier(name)}`),
    sql`, `,
  );

/** Columns for a drizzle select: expressions get their key as their name, as a statement's rows need. */
export const named = <Columns extends Record<string, AnyColumn | SQLWrapper>>(columns: Columns) =>
  Object.fromEntries(Object.entries(columns).map(([name, value]) => [name, is(value, Column) ? value : sql`${value}`.as(name)])) as {
    [Name in keyof Columns]: Columns[Name] extends AnyColumn ? Columns[Name] : SQL.Aliased<unknown>;
  };

/** The rows `d` of a read. */
export const readRows = (query: SQLWrapper) => sql`d as (${query.getSQL()})`;

/**
 * The rows `d` of a write (insert, update or delete ... returning *): its returned rows, under
 * the table's own name so that the same column expressions (its item) apply to them.
 */
export const writtenRows = (write: SQLWrapper, table: PgTable, columns: Record<string, SQLWrapper>) =>
  sql`written as (${write.getSQL()}), d as (select ${selectList(columns)} from written as ${table})`;

/**
 * An insert of one row for the owner, only when `owner` is not null (a write the caller may
 * make), returning it. Values are cast to their column's type without its length, so that an
 * over-long text fails (22001) instead of being cut.
 */
export function insertOwned(table: PgTable & { userId: AnyColumn }, owner: SQL, values: Record<string, SQLWrapper>): SQL {
  const columns = getTableColumns(table);
  const entries = Object.entries({ userId: owner, ...values });
  const typeOf = (key: string) => sql.raw(columns[key]!.getSQLType().replace(/\s*\(\d+\)/, ""));
  return sql`insert into ${table} (${sql.join(entries.map(([key]) => sql.identifier(columns[key]!.name)), sql`, `)})
    select ${sql.join(entries.map(([key, value]) => sql`${value}::${typeOf(key)}`), sql`, `)} where ${owner} is not null returning *`;
}

/** The item a statement returned, or the resource's not-found error. */
export function found<Row extends OwnedRow>([row]: Row[], notFound: ErrorCode): Row & { item: string } {
  if (row === undefined) throw new ApiError(notFound);
  return row as Row & { item: string };
}

/**
 * Why a conditional write (If-Match) returned nothing: 412 when the row exists at another
 * version, else the resource's 404. This second statement runs only on that path.
 */
export async function notWritten(caller: Caller, table: PgTable & OwnedTable, versions: number[] | undefined, id: number, notFound: ErrorCode): Promise<never> {
  if (versions !== undefined) {
    const exists: OwnedStatement = {
      key: `${getTableName(table)}.exists`,
      build: (owner, qb) => readRows(qb.select(named({ item: sql`''` })).from(table).where(ownedRow(table, owner))),
    };
    if ((await caller.rows(exists, { id })).length) throw new ApiError("PRECONDITION_FAILED");
  }
  throw new ApiError(notFound);
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
