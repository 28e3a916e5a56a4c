/**
 * The console's Content-Security-Policy, in one place: the main process sends it as a header
 * (src/main/index.ts) and the renderer build writes it into index.html as a <meta> tag
 * (electron.vite.config.ts), because responses for `file://` pages do not pass through `webRequest`.
 * Pure: no Electron, no Node, so the build config can import it.
 */

/**
 * `style-src 'unsafe-inline'` because MUI (emotion) injects style tags; scripts stay `'self'` only. In
 * development the Vite dev server also needs its inline React-refresh preamble and its HMR websocket, and
 * only then.
 */
export function contentSecurityPolicy(devUrl?: string): string {
  const dev = devUrl ? new URL(devUrl) : undefined;
  const wsOrigin = dev ? `${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}` : '';
  return [
    "default-src 'self'",
    dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    dev ? `connect-src 'self' ${wsOrigin}` : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The production policy as a <meta> tag accepts it (browsers ignore `frame-ancestors` there, with a warning). */
export function metaContentSecurityPolicy(): string {
  return contentSecurityPolicy()
    .split('; ')
    .filter((directive) => !directive.startsWith('frame-ancestors'))
    .join('; ');
}
