import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { coalescingWebSocket } from "@/lib/db/neon-websocket";

// A real WebSocket server on loopback records what arrives, message by message.
let server: WebSocketServer;
let url: string;
const received = new Map<string, { messages: string[]; closed: Promise<void> }>();

beforeAll(async () => {
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on("connection", (socket, request) => {
    const messages: string[] = [];
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    received.set(new URL(request.url!, url).searchParams.get("name")!, { messages, closed });
    socket.on("message", (data) => messages.push(String(data)));
  });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function open(name: string) {
  const socket = new (coalescingWebSocket(WebSocket))(`${url}/?name=${name}`);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return socket;
}

const bytes = (text: string) => new TextEncoder().encode(text);

async function closeAndRead(socket: WebSocket, name: string) {
  socket.close();
  await received.get(name)!.closed;
  return received.get(name)!.messages;
}

describe("coalescingWebSocket", () => {
  it("sends what is written in one turn as one message, in order", async () => {
    const socket = await open("one-turn");
    socket.send(bytes("Bind|"));
    socket.send(Buffer.from("Execute|"));
    socket.send(bytes("Sync"));
    await new Promise((resolve) => setImmediate(resolve));
    socket.send(bytes("next turn"));
    expect(await closeAndRead(socket, "one-turn")).toEqual(["Bind|Execute|Sync", "next turn"]);
  });

  it("sends what is queued before a close, and before a send it does not queue", async () => {
    const socket = await open("flushed");
    socket.send(bytes("queued|"));
    socket.send("text goes as it is");
    socket.send(bytes("last"));
    expect(await closeAndRead(socket, "flushed")).toEqual(["queued|", "text goes as it is", "last"]);
  });
});
