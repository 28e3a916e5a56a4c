/** The Electron transport: admin IPC handlers, live-event forwarding, the sender gate they share, and the CSP. */
export { setupAdminIpc, DESKTOP_ACTOR, type AdminIpcOptions } from './admin-ipc';
export { setupAuditExportIpc } from './audit-export-ipc';
export { forwardEngineEvents } from './event-forwarding';
export { forwardDeploymentEvents } from './deployment-events';
export { createAppOrigin, type AppOrigin } from './app-origin';
export { isTrustedSender, type SenderEvent } from './sender-check';
export { contentSecurityPolicy, metaContentSecurityPolicy } from './content-security-policy';
