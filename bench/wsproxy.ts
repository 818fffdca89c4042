// The test WebSocket-to-TCP proxy (tools/neon-wsproxy.ts) in its own process, so that the bench
// can measure its CPU apart from the server's and the load generator's. Prints its address.
// BENCH_RTT_MS: the round trip it adds to every database message exchange (--rtt).
import { startWsProxy } from "../tools/neon-wsproxy";

const proxy = await startWsProxy(0, { rttMs: Number(process.env.BENCH_RTT_MS ?? 0) });
console.log(`listening on ${proxy.address}`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void proxy.close().finally(() => process.exit(0)));
}
