// `db.execute()` returns the driver's result object (node-postgres, neon and PGlite all carry
// `rows`), typed differently per driver; this is the one place that reads it.
export async function rowsOf<Row>(result: Promise<unknown> | unknown): Promise<Row[]> {
  return ((await result) as { rows: Row[] }).rows;
}
