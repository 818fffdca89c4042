// Field limits of a task, in Unicode code points (what JSON Schema's maxLength counts): used by
// the zod schemas (lib/tasks/schema.ts) and shown as hints by the admin page. No imports, so
// that a page can use them without pulling in the server.
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;
