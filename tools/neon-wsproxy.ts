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
   * A network round trip to emulate (the bench's --rtt), in whole milliseconds: every message,
   * and a close, is held about half of it on its way in each direction, as on a link with that
   * latency both ways. A query (the driver's message, PostgreSQL's answer) then takes one RTT
   * longer, and pipelined messages are not serialized: each is only shifted in time, in order.
   * 0: passed on at once.
   */
  rttMs?: number;
}

export async function startWsProxy(port = 0, { rttMs = 0 }: WsProxyOptions = {}): Promise<WsProxy> {
  if (!Number.isInteger(rttMs) || rttMs < 0) throw new Error(`rttMs: a whole number of milliseconds, got ${rttMs}`);
  // Node's timers count whole milliseconds and cut a fraction off (a 2.5 ms hold each way was a
  // 4 ms round trip): the odd millisecond is held on the way back.
  const toPostgres = holder(Math.floor(rttMs / 2));
  const fromPostgres = holder(rttMs - Math.floor(rttMs / 2));
  const server = new WebSocketServer({ host: "127.0.0.1", port });
  server.on("connection", (socket, request) => {
    const target = new URL(request.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const separator = target.lastIndexOf(":");
    // No Nagle on the way to PostgreSQL, as on Neon's proxy: a statement sent in several
    // messages would otherwise wait for PostgreSQL's delayed ACK (40 ms) between them.
    const tcp = net.connect({ port: Number(target.slice(separator + 1)), host: target.slice(0, separator), noDelay: true });
    tcp.on("data", (chunk) => fromPostgres(() => socket.send(chunk)));
    tcp.on("error", () => socket.terminate());
    tcp.on("close", () => fromPostgres(() => socket.close()));
    socket.on("message", (data) => toPostgres(() => tcp.write(data as Buffer)));
    socket.on("close", () => toPostgres(() => tcp.destroy()));
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

/** Delivers after `ms`; timers of one duration fire in the order they were set, so held messages keep theirs. */
function holder(ms: number): (deliver: () => void) => void {
  return (deliver) => (ms > 0 ? void setTimeout(deliver, ms) : deliver());
}
