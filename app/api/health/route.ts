import { checkHealth } from "@/lib/health";
import { methodNotAllowed, withErrors } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = withErrors(async () => Response.json(await checkHealth(), { headers: { "Cache-Control": "no-store" } }));

const notAllowed = methodNotAllowed(["GET"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
