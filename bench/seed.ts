import type pg from "pg";
import { createApiKey, signUp as signUpAccount, uniqueEmail } from "../tools/accounts";

// The bench's data: users signed up through the product's own API (real Better Auth users,
// accounts and sessions, so real bearer tokens), one read-write API key each created through the
// API too, tasks in bulk SQL plus a few through the API.

export interface BenchUser {
  id: string;
  email: string;
  token: string;
  /** A read-write API key (tk_...) of this user, created through POST /api/auth/api-key/create. */
  apiKey?: string;
  /** Seeded task ids of this user, newest first. */
  taskIds: number[];
}

export interface Seed {
  users: BenchUser[];
  /** Highest task id after seeding: rows above it were created by a run and are removed after it. */
  maxSeedId: number;
  /** A task nobody's run touches, to compare the product's and the baseline's JSON. */
  sentinel: { userIndex: number; taskId: number };
}

/** A bench user, signed up through the API (tools/accounts.ts). */
export async function signUp(baseUrl: string, email: string): Promise<{ id: string; token: string }> {
  const { id, token } = await signUpAccount(baseUrl, { name: "Bench User", email });
  return { id, token };
}

async function createTaskOverApi(baseUrl: string, token: string, title: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ title, description: "created through the API by the bench seed" }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /api/tasks failed during seeding: ${response.status} ${text}`);
  return (JSON.parse(text) as { id: number }).id;
}

/**
 * Bulk tasks for the given users, interleaved by creation order (as they would arrive), with
 * a third completed and a quarter without description. `prefix` keeps titles distinct per batch.
 */
export async function insertTasks(admin: pg.Client, userIds: string[], perUser: number, prefix = "Seed task") {
  await admin.query(
    `insert into tasks (user_id, title, description, completed, created_at, updated_at)
     select u.id, $3 || ' ' || g, case when g % 4 = 0 then null else 'Seeded in bulk by the bench (' || g || ')' end,
            g % 3 = 0, now() - make_interval(secs => $2 - g), now() - make_interval(secs => $2 - g)
     from generate_series(1, $2::int) as g cross join unnest($1::text[]) with ordinality as u(id, n)
     order by g, u.n`,
    [userIds, perUser, prefix],
  );
}

export async function seedSmall(
  admin: pg.Client,
  baseUrl: string,
  { users: userCount, tasksPerUser, overApi }: { users: number; tasksPerUser: number; overApi: number },
  log: (line: string) => void,
): Promise<Seed> {
  const started = Date.now();
  const signedUp: { id: string; token: string; email: string; apiKey: string }[] = [];
  for (let i = 0; i < userCount; i++) {
    const email = uniqueEmail("bench");
    const account = await signUp(baseUrl, email);
    signedUp.push({ ...account, email, apiKey: await createApiKey(baseUrl, account.token, { name: "bench" }) });
  }
  await insertTasks(
    admin,
    signedUp.map((user) => user.id),
    tasksPerUser - overApi,
  );
  const sentinels: number[] = [];
  for (let k = 0; k < overApi; k++) {
    for (const user of signedUp) sentinels.push(await createTaskOverApi(baseUrl, user.token, `Created through the API ${k}`));
  }
  await admin.query("vacuum analyze tasks, users, sessions, api_keys");
  const { rows } = await admin.query<{ user_id: string; ids: number[] }>(
    "select user_id, array_agg(id order by id desc) as ids from tasks group by user_id",
  );
  const idsByUser = new Map(rows.map((row) => [row.user_id, row.ids]));
  const sentinel = sentinels.at(-1)!;
  const users = signedUp.map((user) => ({
    ...user,
    // The sentinel stays out of the pools that PATCH draws from.
    taskIds: (idsByUser.get(user.id) ?? []).filter((id) => id !== sentinel),
  }));
  const maxSeedId = Math.max(...rows.flatMap((row) => row.ids));
  log(`seeded ${userCount} users (signed up through the API, one API key each) × ${tasksPerUser} tasks (${overApi} each through the API) in ${Date.now() - started} ms`);
  return { users, maxSeedId, sentinel: { userIndex: userCount - 1, taskId: sentinel } };
}

/**
 * Puts the data back as seeded between targets: removes what POST runs created, the
 * Idempotency-Key records of their creates and the tombstones this removal leaves.
 */
export async function restore(admin: pg.Client, seed: Seed) {
  await admin.query("delete from tasks where id > $1", [seed.maxSeedId]);
  await admin.query("delete from idempotency_keys");
  await admin.query("delete from task_tombstones");
  await admin.query("vacuum analyze tasks, idempotency_keys, task_tombstones");
}
