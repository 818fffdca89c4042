import { handleAuthRequest } from "@/lib/auth/handler";
import { otherMethods, withErrors } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = withErrors((request, _context, state) => handleAuthRequest(request, state));
const { OPTIONS } = otherMethods(["GET", "POST"]);

export { handler as GET, handler as POST, OPTIONS };
