import pg from "pg";

// The pg and neon projects run their files several at a time, beside each other: each worker
// of each has a database of its own on the TEST_DATABASE_URL server, named after that URL's
// database, the project and the worker (`task_test_pg_1`, …). Files create their own users,
// but not every file keeps to its own rows: the EXPLAIN tests fill the tasks table and ANALYZE
// it, which another file's queries would run into.

/** The database of `project`'s worker `worker` (VITEST_POOL_ID, 1 to maxWorkers). */
export function workerDatabaseUrl(base: string, project: string, worker: number): string {
  if (!Number.isInteger(worker) || worker < 1) throw new Error(`not a vitest worker id: ${worker}`);
  const url = new URL(base);
  url.pathname = `${url.pathname}_${project}_${worker}`;
  return url.href;
}

const ALREADY_THERE = new Set(["42P04", "23505"]); // duplicate_database; unique_violation when two create it at once

/** Creates `project`'s workers' databases that do not exist yet (the server's role needs CREATEDB). */
export async function createWorkerDatabases(base: string, project: string, workers: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    const urls: string[] = [];
    for (let worker = 1; worker <= workers; worker++) {
      const url = workerDatabaseUrl(base, project, worker);
      const name = decodeURIComponent(new URL(url).pathname.slice(1));
      await client.query(`create database ${client.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        if (!ALREADY_THERE.has(error.code ?? "")) throw error;
      });
      urls.push(url);
    }
    return urls;
  } finally {
    await client.end();
  }
}
