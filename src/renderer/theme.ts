/**
 * The console's MUI theme, light and dark. System fonts only: the CSP forbids remote resources, and a
 * console should look native anyway.
 */
import { createTheme, type PaletteMode, type Theme } from '@mui/material/styles';
import { useCallback, useState } from 'react';

const FONT_STACK = [
  'system-ui',
  '-apple-system',
  '"Segoe UI"',
  'Roboto',
  '"Helvetica Neue"',
  'Arial',
  '"Noto Sans"',
  'sans-serif',
].join(',');

export const MONO_STACK = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

export function createAppTheme(mode: PaletteMode): Theme {
  return createTheme({
    palette: {
      mode,
      primary: { main: mode === 'light' ? '#3949ab' : '#9fa8da' },
      secondary: { main: mode === 'light' ? '#00838f' : '#80deea' },
      // MUI's light warning (#ed6c02) and info (#0288d1) are under WCAG AA's 4.5:1 as text on white and under
      // white text (outlined chips, "next" key chips, warning buttons); these darker shades pass (axe in e2e).
      // Dark mode's red (#f44336) is as close as 4.2:1 on a dialog's or a grid's lighter surfaces; this one is not.
      ...(mode === 'light' ? { warning: { main: '#b45309' }, info: { main: '#01579b' } } : { error: { main: '#ff6b6b' } }),
      // Text on a coloured fill (contained buttons, filled chips) is chosen for 4.5:1, not MUI's default 3:1:
      // white on dark mode's red was 3.7:1.
      contrastThreshold: 4.5,
      background: mode === 'light' ? { default: '#f5f6fa', paper: '#ffffff' } : { default: '#101218', paper: '#181b24' },
    },
    typography: { fontFamily: FONT_STACK, fontSize: 14 },
    shape: { borderRadius: 8 },
    components: {
      // A clear focus ring for keyboard users on every button, link-button and list item (MUI's own hint is a
      // faint background that is easy to miss).
      MuiButtonBase: {
        styleOverrides: {
          root: ({ theme }) => ({
            '&.Mui-focusVisible': { outline: `2px solid ${theme.palette.primary.main}`, outlineOffset: -2 },
          }),
        },
      },
      MuiButton: { defaultProps: { disableElevation: true } },
      MuiTooltip: { defaultProps: { arrow: true } },
      MuiChip: { defaultProps: { size: 'small' } },
    },
  });
}

const STORAGE_KEY = 'warden.colorMode';

function initialMode(): PaletteMode {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'light' || stored === 'dark') return stored;
  } catch {
    // storage may be disabled; fall back to the system preference
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The light/dark choice, persisted in localStorage. */
export function useColorMode(): [PaletteMode, () => void] {
  const [mode, setMode] = useState<PaletteMode>(initialMode);
  const toggle = useCallback(() => {
    setMode((current) => {
      const next = current === 'light' ? 'dark' : 'light';
      try {
        localStorage.setItem(STORAGE_KEY, next);
      } catch {
        // not persisted; the toggle still works for this window
      }
      return next;
    });
  }, []);
  return [mode, toggle];
}
