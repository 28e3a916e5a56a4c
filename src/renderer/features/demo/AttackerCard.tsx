import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Link from '@mui/material/Link';
import type { DemoAttacker, DemoDevice } from '../../../shared/demo';
import { href } from '../../lib/router';

interface Props {
  attacker: DemoAttacker;
  devices: DemoDevice[];
}

/** What the scripted attacker did last, and where to see that the console caught it. */
export function AttackerCard({ attacker, devices }: Props) {
  if (attacker.state === 'idle') return null;
  const device = devices.find((d) => d.id === attacker.deviceId);
  const target = device ? `${device.displayName}'s ${device.deviceName.replace(/^.*?'s /, '')}` : 'a device';
  const severity = attacker.state === 'failed' ? 'warning' : attacker.state === 'waiting' ? 'info' : 'error';
  return (
    <Alert severity={severity} data-testid="demo-attacker" data-state={attacker.state} sx={{ mb: 2 }}>
      <AlertTitle>
        {attacker.state === 'waiting' ? `The attacker copied the refresh token of ${target} and waits for it to rotate…` : `The attacker replayed the refresh token stolen from ${target}`}
      </AlertTitle>
      {attacker.outcome && <span data-testid="demo-attacker-outcome">{attacker.outcome}. </span>}
      {attacker.state === 'replayed' && (
        <>
          Reuse detection revoked the whole session, so the device&apos;s next call gets a 401. See the reuse alert on the{' '}
          <Link href={href.overview()} data-testid="demo-attacker-overview">
            Overview
          </Link>{' '}
          and the <code>refresh_token.reused</code> entry in the{' '}
          <Link href={href.audit()} data-testid="demo-attacker-audit">
            Audit log
          </Link>
          .
        </>
      )}
    </Alert>
  );
}
