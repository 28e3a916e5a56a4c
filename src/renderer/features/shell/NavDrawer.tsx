import Drawer from '@mui/material/Drawer';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Toolbar from '@mui/material/Toolbar';
import DashboardIcon from '@mui/icons-material/Dashboard';
import PeopleIcon from '@mui/icons-material/People';
import KeyIcon from '@mui/icons-material/Key';
import AppsIcon from '@mui/icons-material/Apps';
import HistoryIcon from '@mui/icons-material/History';
import DevicesIcon from '@mui/icons-material/Devices';
import SearchIcon from '@mui/icons-material/ManageSearch';
import SettingsIcon from '@mui/icons-material/Settings';
import ScienceIcon from '@mui/icons-material/Science';
import type { ReactNode } from 'react';
import { href, type Page } from '../../lib/router';
import { useBridgeInfo } from './use-bridge-info';

export const DRAWER_WIDTH = 220;

interface NavItem {
  id: string;
  label: string;
  href: string;
  icon: ReactNode;
  /** Pages that highlight this entry. */
  pages: Page['name'][];
}

const ITEMS: NavItem[] = [
  { id: 'overview', label: 'Overview', href: href.overview(), icon: <DashboardIcon />, pages: ['overview'] },
  { id: 'users', label: 'Users', href: href.users(), icon: <PeopleIcon />, pages: ['users', 'user', 'session'] },
  { id: 'sessions', label: 'Sessions', href: href.sessions(), icon: <DevicesIcon />, pages: ['sessions'] },
  { id: 'keys', label: 'Keys', href: href.keys(), icon: <KeyIcon />, pages: ['keys'] },
  { id: 'clients', label: 'Clients', href: href.clients(), icon: <AppsIcon />, pages: ['clients'] },
  { id: 'audit', label: 'Audit', href: href.audit(), icon: <HistoryIcon />, pages: ['audit'] },
  { id: 'inspector', label: 'Inspector', href: href.inspector(), icon: <SearchIcon />, pages: ['inspector'] },
  { id: 'settings', label: 'Settings', href: href.settings(), icon: <SettingsIcon />, pages: ['settings'] },
];

/** Shown only in demo mode (`--demo`). */
const DEMO_ITEM: NavItem = { id: 'demo', label: 'Demo', href: href.demo(), icon: <ScienceIcon />, pages: ['demo'] };

/** The left navigation: real links, so it works with the keyboard and middle-click. */
export function NavDrawer({ current }: { current: Page['name'] }) {
  const info = useBridgeInfo();
  const items = info?.demo ? [DEMO_ITEM, ...ITEMS] : ITEMS;
  return (
    <Drawer
      variant="permanent"
      sx={{ width: DRAWER_WIDTH, flexShrink: 0, '& .MuiDrawer-paper': { width: DRAWER_WIDTH, boxSizing: 'border-box' } }}
    >
      <Toolbar />
      <nav aria-label="Main">
        <List>
          {items.map((item) => {
            const selected = item.pages.includes(current);
            return (
              <ListItemButton
                key={item.id}
                component="a"
                href={item.href}
                selected={selected}
                aria-current={selected ? 'page' : undefined}
                data-testid={`nav-${item.id}`}
              >
                <ListItemIcon sx={{ minWidth: 40 }}>{item.icon}</ListItemIcon>
                <ListItemText primary={item.label} />
              </ListItemButton>
            );
          })}
        </List>
      </nav>
    </Drawer>
  );
}
