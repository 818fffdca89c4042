import http from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream";

// A load balancer for tests: an HTTP proxy that sends each request to the next backend in turn,
// over a connection of its own, and names the backend that answered in X-Backend. Clients may
// keep their connection to the proxy alive; it still spreads their requests.
export interface RoundRobinProxy {
  url: string;
  close(): Promise<void>;
}

/** The response header that names the backend (its base URL) that answered. */
export const BACKEND_HEADER = "x-backend";

// Hop-by-hop headers belong to one connection, not to the request or the answer.
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"];

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept = { ...headers };
  for (const name of HOP_BY_HOP) delete kept[name];
  return kept;
}

export async function startRoundRobinProxy(backends: string[]): Promise<RoundRobinProxy> {
  let turn = 0;
  const server = http.createServer(async (request, response) => {
    // Read whole, so that it can be sent again to another backend.
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of request) chunks.push(chunk as Buffer);
    } catch {
      return response.destroy();
    }
    const body = Buffer.concat(chunks);
    const first = turn++;
    const headers = {
      ...endToEnd(request.headers),
      "content-length": String(body.length),
      // What the app's per-IP limits count by.
      "x-forwarded-for": request.socket.remoteAddress ?? "unknown",
    };

    const forward = (attempt: number) => {
      const backend = backends[(first + attempt) % backends.length]!;
      // agent: false opens a connection per request. Over pooled keep-alive connections a
      // stopping `next start` would never stop: after SIGTERM it keeps answering on every
      // connection that was busy at that moment, as long as requests keep coming on it.
      const upstream = http.request(new URL(request.url!, backend), { method: request.method, headers, agent: false }, (answer) => {
        response.writeHead(answer.statusCode!, { ...endToEnd(answer.headers), [BACKEND_HEADER]: backend });
        // A backend that dies in the middle of its answer leaves the client a cut connection.
        pipeline(answer, response, () => {});
      });
      upstream.on("error", (error: NodeJS.ErrnoException) => {
        // A refused connection means the backend is down and nothing reached it, so sending the
        // request to the next one is safe: that is how a load balancer stops routing to an
        // instance that is being restarted. Any other failure may have come after the backend
        // acted on the request, so it is not resent; the client sees its connection fail, as it
        // would without a proxy, and retries if it can (with its Idempotency-Key).
        if (error.code !== "ECONNREFUSED") return response.destroy();
        if (attempt + 1 < backends.length) return forward(attempt + 1);
        response.writeHead(502).end(); // every backend is down
      });
      upstream.end(body);
    };
    forward(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
