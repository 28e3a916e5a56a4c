import { createContext, useContext, useEffect, useState } from 'react';
import type { BridgeInfo } from '../../../shared/bridge';
import { getBridge, toApiError, type ApiError } from '../../api';

export interface InfoState {
  info: BridgeInfo | undefined;
  error: ApiError | undefined;
}

/** Loads the bridge facts once (mode, issuer, key store, demo). */
export function useLoadBridgeInfo(): InfoState {
  const [state, setState] = useState<InfoState>({ info: undefined, error: undefined });
  useEffect(() => {
    let live = true;
    getBridge()
      .info()
      .then((info) => live && setState({ info, error: undefined }))
      .catch((error: unknown) => live && setState({ info: undefined, error: toApiError(error) }));
    return () => {
      live = false;
    };
  }, []);
  return state;
}

export const BridgeInfoContext = createContext<BridgeInfo | undefined>(undefined);

/** The bridge facts, once loaded (undefined before). */
export function useBridgeInfo(): BridgeInfo | undefined {
  return useContext(BridgeInfoContext);
}
