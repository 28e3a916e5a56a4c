/**
 * Which deployment this console window manages (`currentDeployment`), the switch to another one, and the role
 * the window acts with: the remote API key's role while it manages a remote deployment (so `useCan` gates what
 * that key may do there), this console's own otherwise. Switching bumps a generation the shell keys its views
 * on, so every view mounts again and loads the new deployment's data; the live stream follows (the main
 * process or the console host ends the old one, and the console reconnects to the new one).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AdminRole } from '../../../shared/admin-api';
import type { CurrentDeployment } from '../../../shared/deployments';
import { api, onStreamStatus, streamStatus, toApiError, type ApiError } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { RoleContext, useRole } from '../../lib/role';

interface DeploymentState {
  current: CurrentDeployment;
  /** Changes on every switch: views keyed on it start again. */
  generation: number;
  /** This console's own role (the deployment profiles are managed with it, never with a remote key). */
  localRole: AdminRole;
  switchTo(id: string): Promise<void>;
  /** Reads the current deployment again (after its profile was edited, which may have reset it). */
  reload(): Promise<void>;
}

const DeploymentContext = createContext<DeploymentState | null>(null);

export function useDeployment(): DeploymentState {
  const state = useContext(DeploymentContext);
  if (!state) throw new Error('useDeployment outside DeploymentProvider');
  return state;
}

export function DeploymentProvider({ children }: { children: ReactNode }) {
  const localRole = useRole();
  const [current, setCurrent] = useState<CurrentDeployment | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [generation, setGeneration] = useState(0);

  const shown = useRef<CurrentDeployment | undefined>(undefined);
  const apply = useCallback((next: CurrentDeployment) => {
    const previous = shown.current;
    shown.current = next;
    if (previous && (previous.deployment.id !== next.deployment.id || previous.role !== next.role)) setGeneration((value) => value + 1);
    setCurrent(next);
  }, []);

  const reload = useCallback(async () => {
    try {
      apply(await api.currentDeployment({}));
      setError(undefined);
    } catch (caught) {
      setError(toApiError(caught));
    }
  }, [apply]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // The console host ends the stream when this session's deployment changed behind its back (its profile edited
  // elsewhere, or this admin demoted below owner): ask again each time the stream comes back.
  useEffect(() => {
    let previous = streamStatus();
    return onStreamStatus((status) => {
      if (status === 'live' && previous !== 'live') void reload();
      previous = status;
    });
  }, [reload]);

  const switchTo = useCallback(
    async (id: string) => {
      apply(await api.switchDeployment({ id }));
    },
    [apply],
  );

  const value = useMemo(() => (current ? { current, generation, localRole, switchTo, reload } : null), [current, generation, localRole, switchTo, reload]);
  if (!value) {
    return error ? <ErrorAlert error={error} title="Could not tell which deployment this console manages" testId="deployment-error" /> : <Loading label="Loading the deployment" testId="deployment-loading" />;
  }
  const role = current!.deployment.kind === 'remote' ? current!.role : localRole;
  return (
    <DeploymentContext.Provider value={value}>
      <RoleContext.Provider value={role}>{children}</RoleContext.Provider>
    </DeploymentContext.Provider>
  );
}
