import type WebSocket from "ws";

/**
 * The neon driver's WebSocket: what the driver sends in one turn of the event loop (a
 * statement's protocol messages, which node-postgres writes one by one) goes out as one
 * WebSocket message at the end of that turn. The driver's own coalescing (`coalesceWrites`, on by
 * default, turned off where this is used) does the same with setTimeout(0), which in Node waits
 * at least 1 ms: every statement waited for it. Sending each message as it comes instead costs a
 * frame and a write per message, and measurably more CPU per request.
 */
export function coalescingWebSocket(Base: typeof WebSocket): typeof WebSocket {
  return class CoalescingWebSocket extends Base {
    #queued: Uint8Array[] = [];

    override send(data: unknown, ...rest: unknown[]): void {
      // Anything but the driver's plain binary writes on an open socket goes as it is, in order.
      if (rest.length > 0 || !(data instanceof Uint8Array) || this.readyState !== Base.OPEN) {
        this.#flush();
        return (super.send as (...args: unknown[]) => void)(data, ...rest);
      }
      this.#queued.push(data);
      if (this.#queued.length === 1) queueMicrotask(() => this.#flush());
    }

    override close(...args: Parameters<WebSocket["close"]>): void {
      this.#flush();
      super.close(...args);
    }

    #flush(): void {
      if (this.#queued.length === 0) return;
      const chunks = this.#queued;
      this.#queued = [];
      super.send(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    }
  };
}
