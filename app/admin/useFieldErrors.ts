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
    /** aria-describedby of a field: its message, if it has one, then its hints. */
    describedBy: (field: Field, ...hints: string[]) =>
      [errors[field] ? `${formId}-${field}-error` : null, ...hints].filter(Boolean).join(" ") || undefined,
  };
}
