import type { BackstageCredentials } from '@backstage/backend-plugin-api';

/**
 * Credentials never cross into Rust: the engine gets a numeric handle into this table and
 * hands it back in callbacks. Entries are reference-counted: a request holds one reference
 * while it runs, and the engine's credentials cache one while it remembers the token.
 */
export class CredentialsTable {
  readonly #entries = new Map<number, { credentials: BackstageCredentials; refs: number }>();
  #next = 0;

  /** A new handle with one reference. */
  add(credentials: BackstageCredentials): number {
    do {
      this.#next = this.#next >= 0xffffffff ? 1 : this.#next + 1;
    } while (this.#entries.has(this.#next));
    this.#entries.set(this.#next, { credentials, refs: 1 });
    return this.#next;
  }

  /** One more reference to a handle; false when it is gone. */
  retain(handle: number): boolean {
    const entry = this.#entries.get(handle);
    if (entry) entry.refs += 1;
    return Boolean(entry);
  }

  get(handle: number): BackstageCredentials | undefined {
    return this.#entries.get(handle)?.credentials;
  }

  /** Drop one reference; the entry goes with the last. */
  release(handle: number): void {
    const entry = this.#entries.get(handle);
    if (entry && --entry.refs <= 0) this.#entries.delete(handle);
  }

  /** Handles held: by running requests, and by the credentials cache. */
  get size(): number {
    return this.#entries.size;
  }
}

/**
 * `user:default/jane` (the user's entity ref, which names its kind) or `service:ci-bot` (a
 * static token's subject), from credentials Backstage accepted: session, task and request
 * owners are bound to it, rate-limit rules and usage name it, and logs show it.
 */
export function describePrincipal(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user') {
    const ref = principal.userEntityRef ?? '';
    return ref.startsWith('user:') ? ref : `user:${ref}`;
  }
  if (principal.type === 'service') return `service:${principal.subject}`;
  return principal.type ?? 'unknown';
}
