import { NextResponse, type NextRequest } from "next/server";
import { pagePolicy } from "@/lib/http/security-headers";

// Pages only (the matcher skips /api and static files): a fresh nonce per request, which Next
// puts on its own inline scripts when it finds it in the request's Content-Security-Policy.
export function proxy(request: NextRequest) {
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
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico|icon).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
