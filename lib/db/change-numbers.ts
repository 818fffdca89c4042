import { sql, type SQL } from "drizzle-orm";

// The lock order of writes to a user's tasks: the user's change counter first (migration 0004),
// then the task rows. The triggers take the counter as each row is written, which is after the
// row is locked; a statement locking several of the user's tasks (a list's deletion clearing
// them) would then hold the counter while a one-task write held its task and waited for the
// counter: a deadlock. So every write that locks existing tasks takes the counter in its WHERE,
// which runs before a row is locked (a volatile call is a filter, never evaluated ahead), and
// the triggers reuse the number the transaction already holds.
export const changeNumberTaken = (owner: SQL | string) => sql`next_change_seq(${owner}) is not null`;
