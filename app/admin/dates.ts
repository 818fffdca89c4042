// Due dates between a datetime-local input (the browser's wall clock, no offset) and the API's
// RFC 3339 instants. Sent with the browser's own offset for that moment (so DST is right); the
// API answers in UTC, and the page shows it back in the user's locale and time zone.

const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, "0");

/** `2027-01-10T17:00` (the input's value, local time) as `2027-01-10T17:00:00+01:00`; null when empty or invalid. */
export function localInputToRfc3339(value: string): string | null {
  if (!value) return null;
  const date = new Date(value); // a date-time without offset is local time
  if (Number.isNaN(date.getTime())) return null;
  const offset = -date.getTimezoneOffset(); // minutes east of UTC
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

/** An instant from the API as a datetime-local value in the browser's time zone; "" for null. */
export function rfc3339ToLocalInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** Whether a due date has passed. */
export function isOverdue(iso: string, now = Date.now()): boolean {
  const time = new Date(iso).getTime();
  return !Number.isNaN(time) && time < now;
}
