import { useEffect, useState } from 'react';
import { authReady, onAuthChange, type AuthState } from '../../api';

/** undefined while the login code is being exchanged; then ready or login_required (and back, on expiry). */
export function useAuthState(): AuthState | undefined {
  const [state, setState] = useState<AuthState | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void authReady().then((ready) => live && setState(ready));
    const off = onAuthChange((next) => live && setState(next));
    return () => {
      live = false;
      off();
    };
  }, []);
  return state;
}
