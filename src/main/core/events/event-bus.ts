// Typed in-process events (the contract's EventMap). A throwing listener is logged, never
// allowed to break the emitter or other listeners.
import { EVENT_NAMES, type EventMap, type EventName } from '../../../shared/contract';
import type { Logger } from '../ports';

type Listener<E extends EventName> = (payload: EventMap[E]) => void;

export class EventBus {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();
  constructor(private readonly log: Logger) {}

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  /** Subscribes to every event (the IPC forwarder and the SSE stream use this). */
  onAny(listener: <E extends EventName>(event: E, payload: EventMap[E]) => void): () => void {
    const offs = EVENT_NAMES.map((e) => this.on(e, (p) => listener(e, p)));
    return () => offs.forEach((off) => off());
  }

  hasListeners(event: EventName): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        this.log.error(`listener for ${event} failed`, err);
      }
    }
  }
}
