import { z } from "zod";
import { cursorSchema } from "@/lib/resource/cursor";
import { idParamSchema, limitSchema, ownedItemSchema, pageSchema, storableText } from "@/lib/resource/schemas";
import { LIST_NAME_MAX } from "@/lib/lists/limits";

export const listNameSchema = storableText(LIST_NAME_MAX)
  .pipe(z.string().trim().min(1, "must not be empty"))
  .meta({
    maxLength: LIST_NAME_MAX,
    pattern: "\\S",
    description: "1 to 100 Unicode code points as sent, not all whitespace; stored trimmed; unique among your lists regardless of case",
    example: "Groceries",
  });

export const listCreateSchema = z.strictObject({ name: listNameSchema });
export const listReplaceSchema = listCreateSchema;
export const listPatchSchema = z
  .strictObject({ name: listNameSchema.optional() })
  .refine((patch) => Object.keys(patch).length > 0, "must contain name");

export const listParamsSchema = z.object({ id: idParamSchema("List id") });

export const listListQuerySchema = z.object({ limit: limitSchema, cursor: cursorSchema.optional() });

export const listSchema = ownedItemSchema("List", {
  name: z.string().meta({ maxLength: LIST_NAME_MAX, pattern: "\\S", example: "Groceries" }),
});

export const listPageSchema = pageSchema(listSchema, "ListPage", "By name, case-insensitively");

export type List = z.infer<typeof listSchema>;
export type ListPage = z.infer<typeof listPageSchema>;
export type ListCreate = z.infer<typeof listCreateSchema>;
export type ListPatch = z.infer<typeof listPatchSchema>;
export type ListListQuery = z.infer<typeof listListQuerySchema>;
