import { checkHealth } from "@/lib/health";
import { otherMethods, withErrors } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withErrors(async () => Response.json(await checkHealth(), { headers: { "Cache-Control": "no-store" } }));

const { notAllowed, OPTIONS } = otherMethods(["GET"]);
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE, OPTIONS };
