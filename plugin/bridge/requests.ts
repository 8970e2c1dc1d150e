import type { TracingService } from '@backstage/backend-plugin-api/alpha';
import type { Request, Response } from 'express';

type TraceContext = ReturnType<TracingService['context']['active']>;

/**
 * The HTTP requests whose calls are running, by ticket: the engine hands the ticket back in
 * `invokeAction` (so the call's span joins the request's trace) and in `deliver` (so a
 * legacy POST's audit events name its request, and progress finds its response).
 */
export class RequestTable {
  readonly #entries = new Map<
    number,
    { req: Request; res?: Response; context: TraceContext }
  >();
  #next = 0;

  constructor(private readonly tracing: TracingService) {}

  /**
   * A ticket for `req`, with the trace context its headers carry; `res` when progress may
   * go down it before the answer.
   */
  open(req: Request, res?: Response): number {
    do {
      this.#next = this.#next >= 0xffffffff ? 1 : this.#next + 1;
    } while (this.#entries.has(this.#next));
    const context = this.tracing.propagation.extract(
      this.tracing.context.active(),
      req.headers,
    );
    this.#entries.set(this.#next, { req, res, context });
    return this.#next;
  }

  get(ticket: number | undefined | null) {
    return ticket === undefined || ticket === null ? undefined : this.#entries.get(ticket);
  }

  close(ticket: number): void {
    this.#entries.delete(ticket);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
