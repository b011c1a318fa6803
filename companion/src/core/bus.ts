import type { BusEvent } from '@tierwatch/shared';

export type BusListener = (event: BusEvent) => void;

/**
 * The in-process event bus: the monitor and the execution guard publish, the WebSocket hub (and tests)
 * subscribe. Delivery is synchronous and each listener is isolated, so one throwing subscriber is counted
 * and logged but never stops the publisher or the other listeners.
 */
export class EventBus {
  private listeners = new Set<BusListener>();
  listenerErrors = 0;

  constructor(private readonly onListenerError: (err: unknown, event: BusEvent) => void = () => {}) {}

  publish(event: BusEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.listenerErrors++;
        this.onListenerError(err, event);
      }
    }
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
