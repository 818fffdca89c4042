/**
 * "12/200" beside a field's label, in the error colour once past `max`; `id` is what the
 * input's aria-describedby names. `count` is in code points, as the API counts (fields.ts).
 */
export function Counter({ id, count, max }: { id: string; count: number; max: number }) {
  return (
    <span id={id} className={`counter${count > max ? " counter-over" : ""}`}>
      {count}/{max}
    </span>
  );
}
