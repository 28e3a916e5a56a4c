/**
 * The small HTTP pieces the demo web app needs and any app would write: reading the provider's discovery
 * document (checked, since it crosses the network), a bounded form body, a cookie, HTML escaping.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';

const discoverySchema = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  end_session_endpoint: z.string(),
});
export type Discovery = z.infer<typeof discoverySchema>;

/** The provider's OpenID Connect discovery document; its issuer must be the one asked for (OIDC Discovery §4.3). */
export async function discoveryOf(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`discovery answered ${response.status}`);
  const document = discoverySchema.parse(await response.json());
  if (document.issuer !== issuer) throw new Error(`discovery names issuer ${document.issuer}, not ${issuer}`);
  return document;
}

const MAX_FORM_BYTES = 16_384;

/** An application/x-www-form-urlencoded body, at most 16 KiB. */
export async function formParams(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
