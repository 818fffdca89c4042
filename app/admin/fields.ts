import type { ApiFailure } from "./api";

// The task API's own limits, counted in Unicode code points like the API does. Shown as hints
// only: the API is the judge, and its validation errors are what the form shows.
export { DESCRIPTION_MAX, TITLE_MAX } from "@/lib/tasks/limits";

export function codePoints(value: string): number {
  return [...value].length;
}

function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const capitalised = text[0]!.toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

export interface SplitErrors<F extends string> {
  /** One message per known field, from `errors[].path`. */
  fields: Partial<Record<F, string>>;
  /** Everything that belongs to no known field (or the envelope's `detail`). */
  general: string | null;
}

/** Sorts an API error into messages next to their fields and one general message. */
export function splitErrors<F extends string>(error: ApiFailure, known: readonly F[]): SplitErrors<F> {
  const fields: Partial<Record<F, string>> = {};
  const other: string[] = [];
  for (const { path, message } of error.errors) {
    const field = known.find((name) => path === name || path.startsWith(`${name}.`));
    if (field && !fields[field]) fields[field] = sentence(message);
    else if (!field) other.push(path && path !== "body" ? `${path}: ${message}` : message);
  }
  let general: string | null = null;
  if (other.length > 0) general = `${error.detail}: ${other.join("; ")}`;
  else if (Object.keys(fields).length === 0) general = error.detail;
  return { fields, general };
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(date);
}
