import { handleAuthRequest } from "@/lib/auth/handler";
import { preflight } from "@/lib/http/cors";
import { withErrors } from "@/lib/http/route";

// Better Auth serves the operations declared in lib/auth/operations.ts; any other path answers
// 404 and a wrong method 405 (lib/auth/handler.ts).
const handler = withErrors((request, _context, state) => handleAuthRequest(request, state));

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
export const OPTIONS = withErrors((request) => preflight(request, "GET, POST, OPTIONS"));
