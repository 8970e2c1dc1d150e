import type { Request, Response } from 'express';
import type { McpHttpResponse, StreamEvent } from '../../index';
import type { CredentialsTable } from './credentials';
import type { Observer } from './observe';

/**
 * The open SSE responses, by session id. Rust decides what goes down a stream and when it
 * ends; this table only writes. One stream per session.
 */
export class StreamTable {
  readonly #streams = new Map<string, Response>();
  readonly #credentials: CredentialsTable;
  /** Legacy POSTs whose calls still run, by ticket: their observations come later. */
  readonly #pending = new Map<number, Request>();
  #nextTicket = 0;
  observer?: Observer;

  constructor(credentials: CredentialsTable) {
    this.#credentials = credentials;
  }

  /** A ticket for a legacy POST, so its observations can be reported with its request. */
  ticket(req: Request): number {
    this.#nextTicket = (this.#nextTicket + 1) % 0xffffffff;
    this.#pending.set(this.#nextTicket, req);
    return this.#nextTicket;
  }

  /** The legacy POST of `ticket` was refused: nothing will come for it. */
  dropTicket(ticket: number): void {
    this.#pending.delete(ticket);
  }

  /** Legacy POSTs still waiting for their calls. */
  get pendingTickets(): number {
    return this.#pending.size;
  }

  /** Write the head of a stream and keep it under `session`; `onClose` when it closes. */
  open(
    session: string,
    res: Response,
    head: McpHttpResponse,
    onClose: () => void,
  ): void {
    res.writeHead(head.status, head.headers);
    if (head.body) res.write(head.body);
    res.flushHeaders();
    this.#streams.set(session, res);
    res.on('close', () => {
      if (this.#streams.get(session) === res) this.#streams.delete(session);
      onClose();
    });
  }

  /** The engine's `deliver` callback. */
  deliver = (event: StreamEvent): void => {
    const res = this.#streams.get(event.session);
    if (res && event.chunk) res.write(event.chunk);
    if (res && event.end) {
      this.#streams.delete(event.session);
      res.end();
    }
    if (event.release !== undefined && event.release !== null) {
      this.#credentials.release(event.release);
    }
    if (event.ticket !== undefined && event.ticket !== null) {
      const req = this.#pending.get(event.ticket);
      this.#pending.delete(event.ticket);
      if (req) this.observer?.report(req, event.observations);
    }
  };

  /** End one stream (its session was deleted). */
  end(session: string): void {
    const res = this.#streams.get(session);
    this.#streams.delete(session);
    res?.end();
  }

  /** End every stream (backend shutdown). */
  endAll(): void {
    for (const res of this.#streams.values()) res.end();
    this.#streams.clear();
    this.#pending.clear();
  }

  get size(): number {
    return this.#streams.size;
  }
}
