/**
 * Whether the navigation shows icons only. Unless the admin chose, it follows the window: collapsed below
 * 1280 CSS px (a 1024 px window, or a laptop screen at 150 % zoom), where its 220 px would squeeze the tables.
 * A choice made with its button is kept in localStorage.
 */
import useMediaQuery from '@mui/material/useMediaQuery';
import { useState } from 'react';

const KEY = 'warden.navCollapsed';
type Choice = 'collapsed' | 'expanded' | null;

function readChoice(): Choice {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === 'collapsed' || value === 'expanded' ? value : null;
  } catch {
    return null;
  }
}

export function useNavCollapsed(): [boolean, () => void] {
  const narrow = useMediaQuery('(max-width: 1279.98px)');
  const [choice, setChoice] = useState<Choice>(readChoice);
  const collapsed = choice === null ? narrow : choice === 'collapsed';
  const toggle = () => {
    const next: Choice = collapsed ? 'expanded' : 'collapsed';
    setChoice(next);
    try {
      window.localStorage.setItem(KEY, next);
    } catch {
      // Private windows may refuse storage: the choice then lasts until reload.
    }
  };
  return [collapsed, toggle];
}
