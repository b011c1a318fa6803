import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Lets the companion bind its port first thing at start-up (so a port in use fails at once, naming
 * `server.port`, before any exchange is read) while answering nothing until it is ready: an HTTP request
 * waits in `fetch`, a WebSocket upgrade waits in `holdUpgrades`, and both go on once `open` is called.
 * Held rather than refused with 503: the client needs no retry, and its first answer is the ready one.
 * A start that fails (`fail`) answers the held requests 503 and drops the held upgrades.
 */
export class StartGate {
  #settle!: (ready: boolean) => void;
  readonly ready = new Promise<boolean>((resolve) => {
    this.#settle = resolve;
  });
  #held: [IncomingMessage, Duplex, Buffer][] = [];
  #server: Server | undefined;
  readonly #hold = (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#held.push([req, socket, head]);

  /** Wraps the request handler; `handler` is looked up once ready (the app may not exist yet when listening). */
  fetch<A extends unknown[], R>(handler: () => (...args: A) => R): (...args: A) => Promise<R | Response> {
    return async (...args) =>
      (await this.ready) ? handler()(...args) : new Response('the companion failed to start', { status: 503 });
  }

  /** Keeps upgrade requests aside until `open`: no upgrade listener may be added to `server` before then. */
  holdUpgrades(server: Server): void {
    this.#server = server;
    server.on('upgrade', this.#hold);
  }

  /**
   * Ready: `injectUpgrades` adds the real upgrade listener (the WebSocket hub), the held upgrades are replayed
   * to it in arrival order, and the held requests go on.
   */
  open(injectUpgrades: () => void = () => {}): void {
    this.#server?.off('upgrade', this.#hold);
    injectUpgrades();
    for (const [req, socket, head] of this.#held.splice(0)) {
      if (!socket.destroyed) this.#server?.emit('upgrade', req, socket, head);
    }
    this.#settle(true);
  }

  fail(): void {
    this.#server?.off('upgrade', this.#hold);
    for (const [, socket] of this.#held.splice(0)) socket.destroy();
    this.#settle(false);
  }
}
