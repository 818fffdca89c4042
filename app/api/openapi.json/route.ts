import { otherMethods, withErrors } from "@/lib/http/route";
import { openApiDocument } from "@/lib/openapi/docs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withErrors(() => Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } }));

const { notAllowed, OPTIONS } = otherMethods(["GET"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE, OPTIONS };
