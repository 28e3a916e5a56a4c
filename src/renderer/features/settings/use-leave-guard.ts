/**
 * Leaving a page with unsaved edits asks first. Links inside the console are hash links, so a click on one
 * is caught (capture phase, before the browser follows it) and held until the admin decides; closing or
 * reloading the tab gets the browser's own "leave site?" prompt. Navigation the page cannot intercept (the
 * Back button) is covered by the page keeping its draft (SettingsPage).
 */
import { useEffect, useState } from 'react';

interface Anchor {
  closest(selector: string): { getAttribute(name: string): string | null } | null;
}

export function useLeaveGuard(dirty: boolean): { pendingHref: string | null; stay: () => void; leave: () => void } {
  const [pendingHref, setPendingHref] = useState<string | null>(null);

  useEffect(() => {
    if (!dirty) return undefined;
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = (event.target as Anchor | null)?.closest?.('a[href^="#/"]');
      const target = link?.getAttribute('href');
      if (!target || target === window.location.hash) return;
      event.preventDefault();
      event.stopPropagation();
      setPendingHref(target);
    };
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    document.addEventListener('click', onClick, true);
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      document.removeEventListener('click', onClick, true);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [dirty]);

  return {
    pendingHref,
    stay: () => setPendingHref(null),
    leave: () => {
      const target = pendingHref;
      setPendingHref(null);
      if (target) window.location.hash = target.replace(/^#/, '');
    },
  };
}
