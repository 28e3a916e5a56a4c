import Link from '@mui/material/Link';
import type { MouseEvent } from 'react';

export const MAIN_ID = 'main-content';

/**
 * "Skip to content": the first thing Tab reaches, hidden until focused, so keyboard users need not pass the
 * header and the navigation on every page. It moves focus itself: an `href="#main-content"` would be read
 * by the hash router as a route.
 */
export function SkipLink() {
  const skip = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    document.getElementById(MAIN_ID)?.focus();
  };
  return (
    <Link
      href={`#${MAIN_ID}`}
      onClick={skip}
      data-testid="skip-link"
      sx={(theme) => ({
        position: 'fixed',
        left: 8,
        top: 8,
        zIndex: theme.zIndex.tooltip + 1,
        px: 2,
        py: 1,
        bgcolor: 'background.paper',
        borderRadius: 1,
        boxShadow: 3,
        transform: 'translateY(-200%)',
        '&:focus': { transform: 'none' },
      })}
    >
      Skip to content
    </Link>
  );
}
