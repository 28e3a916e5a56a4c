import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Toolbar from '@mui/material/Toolbar';
import type { PaletteMode } from '@mui/material/styles';
import type { ReactNode } from 'react';
import type { Page } from '../../lib/router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { HeaderBar } from './HeaderBar';
import { NavDrawer } from './NavDrawer';
import { SkipLink, MAIN_ID } from './SkipLink';
import { useNavCollapsed } from './use-nav-collapsed';
import { BridgeInfoContext, useLoadBridgeInfo } from './use-bridge-info';

interface Props {
  page: Page['name'];
  mode: PaletteMode;
  onToggleMode: () => void;
  children: ReactNode;
}

/** Header, navigation, demo banner and the page. */
export function AppShell({ page, mode, onToggleMode, children }: Props) {
  const { info, error } = useLoadBridgeInfo();
  const [navCollapsed, toggleNav] = useNavCollapsed();
  return (
    <BridgeInfoContext.Provider value={info}>
      <Box sx={{ display: 'flex', minHeight: '100vh' }}>
        <SkipLink />
        <HeaderBar info={info} mode={mode} onToggleMode={onToggleMode} />
        <NavDrawer current={page} collapsed={navCollapsed} onToggleCollapsed={toggleNav} />
        {/* tabIndex -1: the skip link moves focus here; the page is then the next thing Tab reaches. */}
        <Box component="main" id={MAIN_ID} tabIndex={-1} sx={{ flexGrow: 1, minWidth: 0, p: 3, '&:focus': { outline: 'none' } }}>
          <Toolbar />
          {info?.demo && (
            <Alert severity="info" variant="filled" data-testid="demo-banner" sx={{ mb: 2 }}>
              This is a demo with throwaway data — start for real with <code>npm start -- --data-dir DIR</code>
            </Alert>
          )}
          <ErrorAlert error={error} title="Could not reach the token service" testId="info-error" />
          {children}
        </Box>
      </Box>
    </BridgeInfoContext.Provider>
  );
}
