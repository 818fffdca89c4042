// Field limits of a list, in Unicode code points: used by lib/lists/schema.ts and shown as
// hints by the admin page. No imports, so that a page can use them without the server.
export const LIST_NAME_MAX = 100;
