import { createHash } from "node:crypto";
import { fillPlaceholders, sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Database } from "@/lib/db";
import { statementRunnerOf } from "@/lib/db/drivers";

// The hot paths' statements, written once with drizzle (tables, columns, sql`` and
// sql.placeholder) and compiled once per shape: a request then only fills in its values and runs
// a named prepared statement, which PostgreSQL parses and plans once per connection. Building a
// query with drizzle on every request, and mapping its rows back, cost more CPU than the rest of
// a request's own work together.

const dialect = new PgDialect();

export interface Statement {
  /** Unique per text: node-postgres refuses one name for two texts on a connection. */
  name: string;
  text: string;
  /** Constants, and the placeholders a run fills in. */
  params: unknown[];
}

export function compile(query: SQL): Statement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return { name: `s${createHash("sha1").update(text).digest("base64url").slice(0, 20)}`, text, params };
}

const compiled = new Map<string, Statement>();

/** The statement of one shape (`key`), compiled the first time it is asked for. */
export function statement(key: string, build: () => SQL): Statement {
  let found = compiled.get(key);
  if (!found) {
    found = compile(build());
    compiled.set(key, found);
  }
  return found;
}

/**
 * A placeholder for drizzle's operators and `.set()`, sent as it is: wrapped in SQL, drizzle
 * does not apply the column's encoder to it (a timestamp's fails on null, a cleared due date).
 */
export const placeholder = (name: string) => sql`${sql.placeholder(name)}`;

/** Runs a statement with its placeholders' values; the rows as the driver returns them. */
export function run<Row>(database: Database, { name, text, params }: Statement, values: Record<string, unknown>): Promise<Row[]> {
  const runner = statementRunnerOf(database);
  if (!runner) throw new Error("run: a database this app opened is needed, not a transaction");
  return runner(name, text, fillPlaceholders(params, values)) as Promise<Row[]>;
}

/** A query's text and parameters with its placeholders filled in, as a run sends them (for EXPLAIN). */
export function withValues(query: { toSQL(): { sql: string; params: unknown[] } }, values: Record<string, unknown>) {
  const { sql: text, params } = query.toSQL();
  return { toSQL: () => ({ sql: text, params: fillPlaceholders(params, values) }) };
}
