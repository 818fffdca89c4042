import type { ApiFailure } from "./api";
import { splitErrors } from "./fields";

// A list name's errors, for the create and rename forms: a clash (409 LIST_NAME_TAKEN) and the
// API's validation messages belong at the name field; anything else is the form's.
export { LIST_NAME_MAX } from "@/lib/lists/limits";

export function listNameErrors(failure: ApiFailure): { field: string | null; general: string | null } {
  if (failure.error_code === "LIST_NAME_TAKEN") {
    return { field: "You already have a list with this name.", general: null };
  }
  const split = splitErrors(failure, ["name"] as const);
  return { field: split.fields.name ?? null, general: split.general };
}
