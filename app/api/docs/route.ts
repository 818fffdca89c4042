import { otherMethods, withErrors } from "@/lib/http/route";
import { DOCS_HTML } from "@/lib/openapi/docs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withErrors(() => new Response(DOCS_HTML, { headers: { "Content-Type": "text/html; charset=utf-8" } }));

const { notAllowed, OPTIONS } = otherMethods(["GET"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE, OPTIONS };
