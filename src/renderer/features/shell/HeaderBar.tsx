import AppBar from '@mui/material/AppBar';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import DarkModeIcon from '@mui/icons-material/DarkMode';
import LightModeIcon from '@mui/icons-material/LightMode';
import ShieldIcon from '@mui/icons-material/Shield';
import type { PaletteMode } from '@mui/material/styles';
import { useEffect, useState } from 'react';
import type { BridgeInfo } from '../../../shared/bridge';
import { onStreamStatus, streamStatus, type StreamStatus } from '../../api';
import { AccountMenu } from './AccountMenu';
import { DeploymentSwitcher } from '../deployments/DeploymentSwitcher';
import { useSession } from './session-context';

const KEY_STORE_LABEL: Record<BridgeInfo['keyStore'], string> = { keychain: 'keys: OS keychain', database: 'keys: database', memory: 'keys: in memory' };
const KEY_STORE_TIP: Record<BridgeInfo['keyStore'], string> = {
  keychain: 'Private keys live in the OS keychain',
  database: 'Private keys live in the database, encrypted under the master key',
  memory: 'Private keys live in memory and vanish on exit',
};

const STREAM_LABEL: Record<StreamStatus, string> = {
  idle: 'live',
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  signed_out: 'signed out',
};

function useStreamStatus(): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>(streamStatus);
  useEffect(() => onStreamStatus(setStatus), []);
  return status;
}

interface Props {
  info: BridgeInfo | undefined;
  mode: PaletteMode;
  onToggleMode: () => void;
}

/** The top bar: where this console runs, which issuer it manages, who is signed in, and the theme switch. */
export function HeaderBar({ info, mode, onToggleMode }: Props) {
  const stream = useStreamStatus();
  const session = useSession();
  return (
    <AppBar position="fixed" color="default" elevation={0} sx={{ zIndex: (theme) => theme.zIndex.drawer + 1, borderBottom: 1, borderColor: 'divider' }}>
      <Toolbar sx={{ gap: 1.5 }}>
        <ShieldIcon color="primary" />
        <Typography variant="h6" component="div" sx={{ fontWeight: 600, whiteSpace: 'nowrap' }}>
          Token Warden
        </Typography>
        <Stack direction="row" spacing={1} sx={{ flexGrow: 1, alignItems: 'center', overflow: 'hidden', ml: 2 }}>
          <DeploymentSwitcher />
          {info && (
            <>
              {/* Below 1200 px the header keeps the issuer, key store and stream state, which an admin acts on. */}
              <Chip
                label={info.mode === 'electron' ? 'Desktop app' : 'Browser console'}
                data-testid="header-mode"
                data-mode={info.mode}
                variant="outlined"
                sx={{ display: { xs: 'none', lg: 'inline-flex' } }}
              />
              <Tooltip title="Issuer (iss) of every token">
                <Chip label={info.issuer} data-testid="header-issuer" variant="outlined" />
              </Tooltip>
              <Tooltip title={KEY_STORE_TIP[info.keyStore]}>
                <Chip
                  label={KEY_STORE_LABEL[info.keyStore]}
                  color={info.keyStore === 'memory' ? 'warning' : 'default'}
                  data-testid="header-keystore"
                  data-key-store={info.keyStore}
                  variant="outlined"
                />
              </Tooltip>
            </>
          )}
          <Chip
            label={STREAM_LABEL[stream]}
            color={stream === 'live' || stream === 'idle' ? 'success' : 'warning'}
            data-testid="header-live"
            data-status={stream}
            variant="outlined"
          />
        </Stack>
        {session && <AccountMenu session={session} />}
        <Tooltip title={mode === 'light' ? 'Dark theme' : 'Light theme'}>
          <IconButton onClick={onToggleMode} aria-label="Toggle light/dark theme" data-testid="theme-toggle" data-mode={mode}>
            {mode === 'light' ? <DarkModeIcon /> : <LightModeIcon />}
          </IconButton>
        </Tooltip>
      </Toolbar>
    </AppBar>
  );
}
