import type { Response } from 'express';
import type { McpHttpResponse } from '../../index';

/**
 * Write one of the engine's complete HTTP answers. `noStore`: the JSON APIs beside MCP (the
 * page's, the secrets page's) are never cached.
 */
export function send(res: Response, answer: McpHttpResponse, options: { noStore?: boolean } = {}): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) {
    res.setHeader(name, value);
  }
  if (options.noStore) res.setHeader('cache-control', 'no-store');
  res.end(answer.body ?? undefined);
}
