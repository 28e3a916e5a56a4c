/** The renderer's data gateway: import everything data-related from here. */
export { ApiError, toApiError } from './api-error';
export { api, callAdmin } from './client';
export { authReady, getBridge, onAuthChange, onStreamStatus, streamStatus } from './gateway';
export type { AuthState, StreamStatus } from './gateway';
export { useAction, useAdminQuery, useLiveEvents } from './hooks';
export type { QueryOptions, QueryState } from './hooks';
