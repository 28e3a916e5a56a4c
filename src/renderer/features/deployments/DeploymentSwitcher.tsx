import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import CheckIcon from '@mui/icons-material/Check';
import CloudIcon from '@mui/icons-material/Cloud';
import ComputerIcon from '@mui/icons-material/Computer';
import SettingsEthernetIcon from '@mui/icons-material/SettingsEthernet';
import { useState } from 'react';
import type { Deployment } from '../../../shared/deployments';
import { api, toApiError, type ApiError } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { href, navigate } from '../../lib/router';
import { MONO_STACK } from '../../theme';
import { useDeployment } from './deployment-context';

/** From this width the header has room for the deployment's name and URL beside the other chips. */
const WIDE = '@media (min-width: 1400px)';

/**
 * The header's "which deployment does this window manage": name and URL, in the secondary colour (filled)
 * for a remote one. Its menu switches deployment without a restart, or opens the Deployments page.
 */
export function DeploymentSwitcher() {
  const { current, switchTo, localRole } = useDeployment();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [list, setList] = useState<Deployment[] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState<string | null>(null);
  const remote = current.deployment.kind === 'remote';
  const mayManage = localRole === 'owner';

  const open = (target: HTMLElement) => {
    setAnchor(target);
    setError(undefined);
    api
      .listDeployments({})
      .then((result) => setList(result.deployments))
      .catch((caught: unknown) => setError(toApiError(caught)));
  };

  const choose = async (id: string) => {
    if (id === current.deployment.id) {
      setAnchor(null);
      return;
    }
    setBusy(id);
    setError(undefined);
    try {
      await switchTo(id);
      setAnchor(null);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <Tooltip title={`This window manages ${current.deployment.name} (${current.deployment.baseUrl}) as ${current.actor}, ${current.role}`}>
        <Button
          variant={remote ? 'contained' : 'outlined'}
          color={remote ? 'secondary' : 'inherit'}
          size="small"
          startIcon={remote ? <CloudIcon /> : <ComputerIcon />}
          onClick={(event) => open(event.currentTarget)}
          aria-haspopup="menu"
          aria-expanded={anchor !== null}
          // The accessible name starts with the visible text (name, URL), as WCAG 2.5.3 asks.
          aria-label={`${current.deployment.name} ${current.deployment.baseUrl}: the deployment this window manages (switch)`}
          data-testid="header-deployment"
          data-kind={current.deployment.kind}
          data-deployment-id={current.deployment.id}
          // Below 1400 px only the icon (and colour) stays: the issuer chip beside it names the deployment's URL,
          // and the mode, key store and stream chips keep their room (1024 and 1280 px windows).
          sx={{ textTransform: 'none', whiteSpace: 'nowrap', flexShrink: 0, minWidth: 0, '& .MuiButton-startIcon': { mr: 0, ml: 0, [WIDE]: { mr: 1 } } }}
        >
          <Typography component="span" data-testid="header-deployment-name" sx={{ font: 'inherit', display: 'none', [WIDE]: { display: 'inline' } }}>
            {current.deployment.name}
          </Typography>{' '}
          <Typography component="span" data-testid="header-deployment-url" sx={{ fontFamily: MONO_STACK, fontSize: '0.8em', ml: 0.5, display: 'none', [WIDE]: { display: 'inline' } }}>
            {current.deployment.baseUrl}
          </Typography>
        </Button>
      </Tooltip>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)} data-testid="deployment-menu">
        {(list ?? [current.deployment]).map((deployment) => (
          <MenuItem
            key={deployment.id}
            selected={deployment.id === current.deployment.id}
            disabled={busy !== null || (deployment.id !== current.deployment.id && !mayManage)}
            onClick={() => void choose(deployment.id)}
            data-testid={`deployment-menu-${deployment.id}`}
          >
            <ListItemIcon>{deployment.id === current.deployment.id ? <CheckIcon fontSize="small" /> : deployment.kind === 'remote' ? <CloudIcon fontSize="small" /> : <ComputerIcon fontSize="small" />}</ListItemIcon>
            <ListItemText primary={busy === deployment.id ? `${deployment.name} — connecting…` : deployment.name} secondary={deployment.baseUrl} slotProps={{ secondary: { sx: { fontFamily: MONO_STACK } } }} />
          </MenuItem>
        ))}
        {error && (
          <MenuItem disabled sx={{ opacity: '1 !important', whiteSpace: 'normal', maxWidth: 420 }}>
            <ErrorAlert error={error} title="Could not switch" testId="deployment-switch-error" />
          </MenuItem>
        )}
        <Divider />
        <MenuItem
          onClick={() => {
            setAnchor(null);
            navigate(href.deployments());
          }}
          data-testid="deployment-menu-manage"
        >
          <ListItemIcon>
            <SettingsEthernetIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText primary="Manage deployments…" />
        </MenuItem>
      </Menu>
    </>
  );
}
