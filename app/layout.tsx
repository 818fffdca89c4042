import type { Metadata } from "next";
import type { ReactNode } from "react";

export const metadata: Metadata = { title: "Task API" };

// Pages carry a per-request CSP nonce (see proxy.ts), so they are rendered per request.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
