import type { BackstageCredentials } from '@backstage/backend-plugin-api';

/**
 * Credentials never cross into Rust: the engine gets a numeric handle into this table and
 * hands it back in callbacks. A handle lives as long as the request that created it.
 */
export class CredentialsTable {
  readonly #entries = new Map<number, BackstageCredentials>();
  #next = 0;

  add(credentials: BackstageCredentials): number {
    do {
      this.#next = this.#next >= 0xffffffff ? 1 : this.#next + 1;
    } while (this.#entries.has(this.#next));
    this.#entries.set(this.#next, credentials);
    return this.#next;
  }

  get(handle: number): BackstageCredentials | undefined {
    return this.#entries.get(handle);
  }

  release(handle: number): void {
    this.#entries.delete(handle);
  }

  /** Handles currently held: zero whenever no request is in flight. */
  get size(): number {
    return this.#entries.size;
  }
}

/** `user:default/jane` or `service:external:ci`: for logs, never for decisions. */
export function describePrincipal(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user') return `user:${principal.userEntityRef}`;
  if (principal.type === 'service') return `service:${principal.subject}`;
  return principal.type ?? 'unknown';
}
