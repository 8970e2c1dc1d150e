import type { Response } from 'express';
import type { McpHttpResponse, StreamEvent } from '../../index';
import type { CredentialsTable } from './credentials';
import type { Observer } from './observe';
import type { RequestTable } from './requests';

/** Push what was written through Backstage's compression middleware, if it is there. */
function flush(res: Response): void {
  (res as Response & { flush?: () => void }).flush?.();
}

/**
 * The open SSE responses, by session id. Rust decides what goes down a stream and when it
 * ends; this table only writes. One stream per session.
 */
export class StreamTable {
  readonly #streams = new Map<string, Response>();
  readonly #credentials: CredentialsTable;
  readonly #requests: RequestTable;
  observer?: Observer;

  constructor(credentials: CredentialsTable, requests: RequestTable) {
    this.#credentials = credentials;
    this.#requests = requests;
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
    if (event.responseOf !== undefined && event.responseOf !== null) {
      this.#progress(event.responseOf, event.chunk);
      return;
    }
    const res = this.#streams.get(event.session);
    if (res && event.chunk) {
      res.write(event.chunk);
      flush(res);
    }
    if (res && event.end) {
      this.#streams.delete(event.session);
      res.end();
    }
    if (event.release !== undefined && event.release !== null) {
      this.#credentials.release(event.release);
    }
    const request = this.#requests.get(event.ticket);
    if (request) {
      this.#requests.close(event.ticket!);
      this.observer?.report(request.req, event.observations);
    }
  };

  /** Progress of a POST's long call: its response becomes an SSE stream, if not yet. */
  #progress(ticket: number, chunk: string | undefined | null): void {
    const res = this.#requests.get(ticket)?.res;
    if (!res || res.destroyed || !chunk) return;
    if (!res.headersSent) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      });
    }
    res.write(chunk);
    flush(res);
  }

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
    this.#requests.clear();
  }

  get size(): number {
    return this.#streams.size;
  }
}
