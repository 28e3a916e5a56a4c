import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import PauseIcon from '@mui/icons-material/Pause';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { useMemo } from 'react';
import type { DemoDevice } from '../../../shared/demo';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { AttackerCard } from './AttackerCard';
import { DemoDevicesTable } from './DemoDevicesTable';
import { DemoWebAppCard } from './DemoWebAppCard';
import { useDemoState } from './use-demo-state';

/**
 * The demo panel: every simulated device with its last API result, token countdown, refresh count and the
 * measured propagation of admin actions; pause/resume; the refresh-token thief.
 */
export function DemoPage() {
  const state = useDemoState();
  const data = state.data;
  const [setPaused, pausing] = useAction((paused: boolean) => api.setDemoPaused({ paused }));
  const [steal, stealing] = useAction((deviceId: string) => api.stealRefreshToken({ deviceId }));

  const counts = useMemo(() => {
    const devices = data?.devices ?? [];
    return {
      ok: devices.filter((d) => d.lastStatus === 200).length,
      unauthorized: devices.filter((d) => d.lastStatus === 401).length,
      loggedOut: devices.filter((d) => d.state === 'logged_out').length,
    };
  }, [data]);

  const togglePause = async () => {
    if (!data) return;
    const result = await setPaused(!data.paused);
    if (result) state.refetch();
  };
  const onSteal = async (device: DemoDevice) => {
    state.refetch();
    await steal(device.id);
    state.refetch();
  };

  return (
    <>
      <PageHeader
        title="Demo"
        subtitle="Simulated devices sign in through the real token endpoint and call a demo API built on the resource-server kit."
        actions={
          data && (
            <Button
              variant="outlined"
              startIcon={data.paused ? <PlayArrowIcon /> : <PauseIcon />}
              onClick={() => void togglePause()}
              disabled={pausing.busy}
              data-testid="demo-pause"
              data-paused={data.paused ? 'true' : 'false'}
            >
              {data.paused ? 'Resume devices' : 'Pause devices'}
            </Button>
          )
        }
      />
      <Alert severity="info" sx={{ mb: 2 }} data-testid="demo-hint">
        <AlertTitle>What to try</AlertTitle>
        Open a user (click a name), click <b>Force logout</b>, and come back: each of their devices turns 401 and shows how many
        milliseconds after the action its first 401 came. Or click <b>Steal token</b> on a device: an attacker copies that device&apos;s
        refresh token, waits until the device has rotated it, and replays it — reuse detection revokes the session.
        {data && (
          <Box component="span" sx={{ display: 'block', mt: 1, color: 'text.secondary' }}>
            Devices call the API every {data.callIntervalMs} ms (± 20 %) and refresh 10 s before their {data.accessTokenTtlSeconds} s
            access token expires. Right after an action that names a device, it probes every {data.probeIntervalMs} ms for up to{' '}
            {data.probeWindowMs} ms, so the time shown measures propagation, not the calling rhythm. A logged-out device signs in again
            after a while (and keeps failing while its user is blocked). ★ marks a remember-me sign-in. Everyone&apos;s password is <code>demo-password-123</code>.
          </Box>
        )}
      </Alert>
      <ErrorAlert error={state.error} title="Could not load the demo" />
      <ErrorAlert error={pausing.error} title="Could not pause or resume" testId="demo-pause-error" />
      <ErrorAlert error={stealing.error} title="The attacker could not start" testId="demo-steal-error" />
      {state.loading && !data && <Loading />}
      {data && (
        <>
          <AttackerCard attacker={data.attacker} devices={data.devices} />
          {data.webApp && <DemoWebAppCard webApp={data.webApp} />}
          <Stack direction="row" spacing={1} useFlexGap sx={{ mb: 1, flexWrap: 'wrap', alignItems: 'center' }}>
            <Chip color="success" variant="outlined" label={`${counts.ok} getting 200`} data-testid="demo-summary-ok" data-count={counts.ok} />
            <Chip color="error" variant="outlined" label={`${counts.unauthorized} got 401`} data-testid="demo-summary-unauthorized" data-count={counts.unauthorized} />
            <Chip variant="outlined" label={`${counts.loggedOut} logged out`} data-testid="demo-summary-logged-out" data-count={counts.loggedOut} />
            <Chip variant="outlined" label={`${data.devices.length} devices`} data-testid="demo-summary-devices" data-count={data.devices.length} />
            <Box component="span" sx={{ color: 'text.secondary', fontSize: 13 }}>
              Demo API: <code data-testid="demo-api-url">{data.apiUrl}</code>
            </Box>
          </Stack>
          <DemoDevicesTable devices={data.devices} onSteal={(device) => void onSteal(device)} stealing={stealing.busy} />
        </>
      )}
    </>
  );
}
