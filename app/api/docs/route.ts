import { methodNotAllowed, withErrors } from "@/lib/http/route";
import { DOCS_HTML } from "@/lib/openapi/docs";

export const GET = withErrors(() => new Response(DOCS_HTML, { headers: { "Content-Type": "text/html; charset=utf-8" } }));

const notAllowed = methodNotAllowed(["GET"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
