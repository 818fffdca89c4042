import { handleAuthRequest } from "@/lib/auth/handler";
import { withErrors } from "@/lib/http/route";

export const dynamic = "force-dynamic";

const handler = withErrors(handleAuthRequest);

export { handler as GET, handler as POST };
