/** The renderer's data gateway: import everything data-related from here. */
export { ApiError, toApiError } from './api-error';
export { api, callAdmin } from './client';
export { authReady, getBridge, onAuthChange, onStreamStatus, refreshAuth, signIn, signOut, streamStatus } from './gateway';
export type { AuthState, SignInInput, SignInResult, StreamStatus } from './gateway';
export { roleOf, type SignedIn } from './browser-auth';
export { useAction, useAdminQuery, useLiveEvents } from './hooks';
export type { QueryOptions, QueryState } from './hooks';
