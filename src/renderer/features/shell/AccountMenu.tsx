import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Snackbar from '@mui/material/Snackbar';
import AccountCircleIcon from '@mui/icons-material/AccountCircle';
import LogoutIcon from '@mui/icons-material/Logout';
import ManageAccountsIcon from '@mui/icons-material/ManageAccounts';
import PhonelinkEraseIcon from '@mui/icons-material/PhonelinkErase';
import { useId, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import { signOut, type SignedIn } from '../../api';
import { href } from '../../lib/router';

/** The name the header shows: the admin's username, or what the one-time link's session stands for. */
export function displayName(session: SignedIn): string {
  return session.admin?.username ?? 'install owner (one-time link)';
}

/** "Signed in as …" with the role, and the way out: this browser, or every session of this admin. */
export function AccountMenu({ session }: { session: SignedIn }) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const menuId = useId();
  const name = displayName(session);

  const leave = async (everywhere: boolean) => {
    setAnchor(null);
    // On success the sign-in page replaces the console (the auth state changes); only a failure stays here.
    setError(await signOut(everywhere));
  };

  return (
    <>
      <Button
        color="inherit"
        startIcon={<AccountCircleIcon />}
        onClick={(event) => setAnchor(event.currentTarget)}
        aria-haspopup="menu"
        aria-expanded={anchor !== null}
        aria-controls={anchor ? menuId : undefined}
        aria-label={`Signed in as ${name}, ${session.role}. Account menu`}
        data-testid="header-account"
        data-username={session.admin?.username ?? ''}
        data-role={session.role}
        data-actor={session.actor}
        sx={{ textTransform: 'none', whiteSpace: 'nowrap', flexShrink: 0 }}
      >
        <span data-testid="header-signed-in-as">{name}</span>
        <span aria-hidden="true">&nbsp;·&nbsp;</span>
        <span data-testid="header-role">{session.role}</span>
      </Button>
      <Menu id={menuId} anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)} data-testid="account-menu">
        <MenuItem disabled divider>
          <ListItemText primary={`Signed in as ${name}`} secondary={`Role: ${session.role} · audited as ${session.actor}`} />
        </MenuItem>
        {session.admin && (
          <MenuItem component="a" href={href.admins()} onClick={() => setAnchor(null)} data-testid="account-own">
            <ListItemIcon>
              <ManageAccountsIcon fontSize="small" />
            </ListItemIcon>
            <ListItemText primary="Your account" secondary="Password, two-step sign-in" />
          </MenuItem>
        )}
        <Divider />
        <MenuItem onClick={() => void leave(false)} data-testid="account-signout">
          <ListItemIcon>
            <LogoutIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText primary="Sign out" secondary="This browser (every tab)" />
        </MenuItem>
        <MenuItem onClick={() => void leave(true)} data-testid="account-signout-all">
          <ListItemIcon>
            <PhonelinkEraseIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText primary="Sign out everywhere" secondary="Every console session of this account" />
        </MenuItem>
      </Menu>
      <Snackbar open={error !== null} onClose={() => setError(null)} autoHideDuration={8_000}>
        <Alert severity="error" onClose={() => setError(null)} data-testid="account-signout-error">
          Could not sign out: {error?.message} <code>({error?.code})</code>
        </Alert>
      </Snackbar>
    </>
  );
}
