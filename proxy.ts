import { NextResponse, type NextRequest } from "next/server";
import { pagePolicy } from "@/lib/http/security-headers";

// Two jobs, before routing:
// - API paths with percent-escapes that do not decode (`/api/tasks/%zz`) would make Next's own
//   router fail with a plain-text 500; they get the contract's 400 instead. The matcher only
//   sends API paths that contain a `%` here, so ordinary API requests skip the proxy entirely.
// - Pages get a fresh CSP nonce per request, which Next puts on its own inline scripts when it
//   finds it in the request's Content-Security-Policy.
function malformedPath(pathname: string): Response | undefined {
  try {
    decodeURIComponent(pathname);
    return undefined;
  } catch {
    return Response.json(
      { detail: "Request path is not valid percent-encoded UTF-8", error_code: "VALIDATION_ERROR", errors: [{ path: "path", message: "malformed percent-encoding" }] },
      { status: 400, headers: { "X-Error-Code": "VALIDATION_ERROR", "Cache-Control": "no-store" } },
    );
  }
}

export function proxy(request: NextRequest) {
  if (request.nextUrl.pathname.startsWith("/api/")) return malformedPath(request.nextUrl.pathname) ?? NextResponse.next();
  const nonce = btoa(crypto.randomUUID());
  const policy = pagePolicy(nonce, process.env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [
    "/api/:path(.*%.*)",
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico|icon).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
