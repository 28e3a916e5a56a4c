import CssBaseline from '@mui/material/CssBaseline';
import GlobalStyles from '@mui/material/GlobalStyles';
import { ThemeProvider, type PaletteMode } from '@mui/material/styles';
import { useMemo } from 'react';
import { Loading } from './components/Loading';
import { AppShell } from './features/shell/AppShell';
import { Routes } from './features/shell/Routes';
import { EnrollmentRequiredPage } from './features/shell/EnrollmentRequiredPage';
import { SessionProvider } from './features/shell/session-context';
import { DeploymentProvider, useDeployment } from './features/deployments/deployment-context';
import { SignInPage } from './features/shell/SignInPage';
import { useAuthState } from './features/shell/use-auth-state';
import { useRoute, type Page } from './lib/router';
import { createAppTheme, useColorMode } from './theme';

/** The console: theme, sign-in gate (browser mode), shell and the routed page. */
export function App() {
  const [mode, toggleMode] = useColorMode();
  const theme = useMemo(() => createAppTheme(mode), [mode]);
  const auth = useAuthState();
  const route = useRoute();

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <GlobalStyles
        styles={{
          // Keyboard users always see where they are; mouse clicks don't leave rings behind.
          ':focus-visible': { outline: `2px solid ${theme.palette.primary.main}`, outlineOffset: 2 },
          code: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
        }}
      />
      {auth === undefined && <Loading label="Signing in" testId="app-loading" />}
      {auth?.status === 'login_required' && <SignInPage state={auth} />}
      {auth?.status === 'ready' && auth.session?.totpEnrollmentRequired && <EnrollmentRequiredPage session={auth.session} />}
      {auth?.status === 'ready' && !auth.session?.totpEnrollmentRequired && (
        <SessionProvider state={auth}>
          <DeploymentProvider>
            <DeploymentShell page={route.page} mode={mode} onToggleMode={toggleMode} />
          </DeploymentProvider>
        </SessionProvider>
      )}
    </ThemeProvider>
  );
}

/** The shell of the deployment this window manages: keyed on it, so a switch mounts every view afresh. */
function DeploymentShell({ page, mode, onToggleMode }: { page: Page; mode: PaletteMode; onToggleMode: () => void }) {
  const { generation } = useDeployment();
  return (
    <AppShell key={generation} page={page.name} mode={mode} onToggleMode={onToggleMode}>
      <Routes page={page} />
    </AppShell>
  );
}
