import CssBaseline from '@mui/material/CssBaseline';
import GlobalStyles from '@mui/material/GlobalStyles';
import { ThemeProvider } from '@mui/material/styles';
import { useMemo } from 'react';
import { Loading } from './components/Loading';
import { AppShell } from './features/shell/AppShell';
import { LoginRequired } from './features/shell/LoginRequired';
import { Routes } from './features/shell/Routes';
import { useAuthState } from './features/shell/use-auth-state';
import { useRoute } from './lib/router';
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
      {auth?.status === 'login_required' && <LoginRequired state={auth} />}
      {auth?.status === 'ready' && (
        <AppShell page={route.page.name} mode={mode} onToggleMode={toggleMode}>
          <Routes page={route.page} />
        </AppShell>
      )}
    </ThemeProvider>
  );
}
