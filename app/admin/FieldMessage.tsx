/** The API's message for one field, next to it; `id` is what the input's aria-describedby names. */
export function FieldMessage({ id, message, testId }: { id: string; message?: string; testId?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error" data-testid={testId}>
      {message}
    </p>
  );
}
