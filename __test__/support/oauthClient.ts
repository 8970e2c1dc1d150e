import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { Agent, setGlobalDispatcher } from 'undici';

/**
 * An HTTPS server on loopback for client ID metadata documents: MCP SDKs only present a
 * `clientMetadataUrl` that is HTTPS. Its certificate is made here by `openssl` for 127.0.0.1,
 * and this process (where the auth backend fetches the document) trusts it on top of the
 * usual roots. Nothing else is changed about TLS.
 */
export async function startMetadataHost(): Promise<{
  url(path: string): string;
  serve(path: string, body: object): void;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-cimd-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  const key = readFileSync(join(dir, 'key.pem'));
  const cert = readFileSync(join(dir, 'cert.pem'));
  rmSync(dir, { recursive: true, force: true });
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, cert.toString()] } }));
  const documents = new Map<string, string>();
  const server: Server = createServer({ key, cert }, (req, res) => {
    const body = documents.get(req.url ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body ?? '{}');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: path => `https://127.0.0.1:${port}${path}`,
    serve: (path, body) => documents.set(path, JSON.stringify(body)),
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}

/**
 * What an MCP client such as Claude Code keeps for one server, in memory: its client
 * identity (a CIMD URL, or a pre-registered static client id), tokens and PKCE verifier.
 * `redirectToAuthorization` hands the URL to `onAuthorize`, which plays the browser.
 */
export class TestOAuthProvider implements OAuthClientProvider {
  #tokens?: OAuthTokens;
  #client?: OAuthClientInformationMixed;
  #verifier = '';
  constructor(
    private readonly options: {
      redirectUrl: string;
      /** CIMD: the client's id is this URL. */
      clientMetadataUrl?: string;
      /** A static client of `auth.staticClients`. */
      clientId?: string;
      scope?: string;
      onAuthorize: (url: URL) => Promise<void>;
    },
  ) {}

  get clientMetadataUrl() {
    return this.options.clientMetadataUrl;
  }
  get redirectUrl() {
    return this.options.redirectUrl;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'mcp-actions OAuth test client',
      redirect_uris: [this.options.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...(this.options.scope && { scope: this.options.scope }),
    };
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.options.clientId ? { client_id: this.options.clientId } : this.#client;
  }
  /** With CIMD the SDK saves `{ client_id: <the document's URL> }` here. */
  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.#client = information;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }
  /** Replace the access token (to play an expired or revoked one). */
  spoilAccessToken(token: string) {
    this.#tokens = { ...this.#tokens!, access_token: token };
  }
  redirectToAuthorization(url: URL) {
    return this.options.onAuthorize(url);
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
}
