import { useState } from "react";

type Messages<Field extends string> = Partial<Record<Field, string>>;

/**
 * The API's messages for a form's fields (splitErrors), shown next to them by FieldMessage with
 * the id `${formId}-${field}-error`, which `describedBy` names.
 */
export function useFieldErrors<Field extends string>(formId: string) {
  const [errors, setErrors] = useState<Messages<Field>>({});
  return {
    fieldErrors: errors,
    setFieldErrors: setErrors,
    /** Drops a field's message once the field is edited. */
    clear: (field: Field) => setErrors(({ [field]: _cleared, ...rest }) => rest as Messages<Field>),
    describedBy: (field: Field, ...hints: string[]) => describedByOf(formId, errors, field, ...hints),
  };
}

/** aria-describedby of a field: its message (`${formId}-${field}-error`), if it has one, then its hints. */
export function describedByOf<Field extends string>(formId: string, errors: Messages<Field>, field: Field, ...hints: string[]): string | undefined {
  return [errors[field] ? `${formId}-${field}-error` : null, ...hints].filter(Boolean).join(" ") || undefined;
}
