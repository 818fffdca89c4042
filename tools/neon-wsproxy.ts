import net from "node:net";
import { WebSocketServer } from "ws";

// A stand-in for Neon's wsproxy, so that the neon driver can talk to a plain PostgreSQL: the
// driver opens ws://HOST/v1?address=pghost:pgport and then speaks the PostgreSQL wire protocol
// in binary frames, which are piped to a TCP connection to that address.
export interface WsProxy {
  address: string;
  close(): Promise<void>;
}

export interface WsProxyOptions {
  /**
   * A network round trip to emulate (the bench's --rtt): every message, and a close, is held
   * half of it on its way in each direction, as on a link with that latency both ways. A query
   * (the driver's message, PostgreSQL's answer) then takes one RTT longer, and pipelined
   * messages are not serialized: each is only shifted in time, in order. 0: passed on at once.
   */
  rttMs?: number;
}

export async function startWsProxy(port = 0, { rttMs = 0 }: WsProxyOptions = {}): Promise<WsProxy> {
  const oneWayMs = rttMs / 2;
  // Timers of one duration fire in the order they were set, so held messages keep their order.
  const pass = (deliver: () => void) => (oneWayMs > 0 ? void setTimeout(deliver, oneWayMs) : deliver());
  const server = new WebSocketServer({ host: "127.0.0.1", port });
  server.on("connection", (socket, request) => {
    const target = new URL(request.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const separator = target.lastIndexOf(":");
    // No Nagle on the way to PostgreSQL, as on Neon's proxy: a statement sent in several
    // messages would otherwise wait for PostgreSQL's delayed ACK (40 ms) between them.
    const tcp = net.connect({ port: Number(target.slice(separator + 1)), host: target.slice(0, separator), noDelay: true });
    tcp.on("data", (chunk) => pass(() => socket.send(chunk)));
    tcp.on("error", () => socket.terminate());
    tcp.on("close", () => pass(() => socket.close()));
    socket.on("message", (data) => pass(() => tcp.write(data as Buffer)));
    socket.on("close", () => pass(() => tcp.destroy()));
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
