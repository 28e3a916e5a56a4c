/**
 * This build's version (package.json's), shown by the console and answered on `GET /admin/info` so a console
 * managing this deployment from elsewhere can say what it talks to. Read once; undefined if the file is absent.
 */
import { readFileSync } from 'node:fs';

function readVersion(): string | undefined {
  try {
    // src/main/version.ts and the built out/main/index.js both sit two levels below package.json.
    const parsed: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const version = (parsed as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

export const TOKEN_WARDEN_VERSION = readVersion();
