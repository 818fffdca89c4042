import net from "node:net";
import { WebSocketServer } from "ws";

// A stand-in for Neon's wsproxy, so that the neon driver can talk to a plain PostgreSQL: the
// driver opens ws://HOST/v1?address=pghost:pgport and then speaks the PostgreSQL wire protocol
// in binary frames, which are piped to a TCP connection to that address.
export interface WsProxy {
  address: string;
  close(): Promise<void>;
}

export async function startWsProxy(port = 0): Promise<WsProxy> {
  const server = new WebSocketServer({ host: "127.0.0.1", port });
  server.on("connection", (socket, request) => {
    const target = new URL(request.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const separator = target.lastIndexOf(":");
    const tcp = net.connect(Number(target.slice(separator + 1)), target.slice(0, separator));
    tcp.on("data", (chunk) => socket.send(chunk));
    tcp.on("error", () => socket.terminate());
    tcp.on("close", () => socket.close());
    socket.on("message", (data) => tcp.write(data as Buffer));
    socket.on("close", () => tcp.destroy());
    socket.on("error", () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port: bound } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
