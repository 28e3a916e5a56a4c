import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import ChevronLeftIcon from '@mui/icons-material/ChevronLeft';
import ChevronRightIcon from '@mui/icons-material/ChevronRight';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Toolbar from '@mui/material/Toolbar';
import DashboardIcon from '@mui/icons-material/Dashboard';
import PeopleIcon from '@mui/icons-material/People';
import KeyIcon from '@mui/icons-material/Key';
import AppsIcon from '@mui/icons-material/Apps';
import HistoryIcon from '@mui/icons-material/History';
import NotificationImportantIcon from '@mui/icons-material/NotificationImportant';
import DevicesIcon from '@mui/icons-material/Devices';
import SearchIcon from '@mui/icons-material/ManageSearch';
import SettingsIcon from '@mui/icons-material/Settings';
import AdminPanelSettingsIcon from '@mui/icons-material/AdminPanelSettings';
import ScienceIcon from '@mui/icons-material/Science';
import SettingsEthernetIcon from '@mui/icons-material/SettingsEthernet';
import type { ReactNode } from 'react';
import { href, type Page } from '../../lib/router';
import { useBridgeInfo } from './use-bridge-info';

export const DRAWER_WIDTH = 220;
/** Icons only: what is left of the navigation when collapsed (narrow windows, 150 % zoom, or by choice). */
export const DRAWER_COLLAPSED_WIDTH = 64;

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
  { id: 'alerts', label: 'Reuse alerts', href: href.alerts(), icon: <NotificationImportantIcon />, pages: ['alerts'] },
  { id: 'inspector', label: 'Inspector', href: href.inspector(), icon: <SearchIcon />, pages: ['inspector'] },
  { id: 'settings', label: 'Settings', href: href.settings(), icon: <SettingsIcon />, pages: ['settings'] },
  { id: 'admins', label: 'Admins', href: href.admins(), icon: <AdminPanelSettingsIcon />, pages: ['admins'] },
  { id: 'deployments', label: 'Deployments', href: href.deployments(), icon: <SettingsEthernetIcon />, pages: ['deployments'] },
];

/** Shown only in demo mode (`--demo`). */
const DEMO_ITEM: NavItem = { id: 'demo', label: 'Demo', href: href.demo(), icon: <ScienceIcon />, pages: ['demo'] };

interface Props {
  current: Page['name'];
  /** Icons only (the labels become tooltips and accessible names). */
  collapsed: boolean;
  onToggleCollapsed: () => void;
}

/**
 * The left navigation: real links, so it works with the keyboard and middle-click. It collapses to icons
 * (automatically in narrow windows, which is also what 150 % zoom makes of a laptop screen, or with its
 * button) so the page keeps the width its tables need.
 */
export function NavDrawer({ current, collapsed, onToggleCollapsed }: Props) {
  const info = useBridgeInfo();
  const items = info?.demo ? [DEMO_ITEM, ...ITEMS] : ITEMS;
  const width = collapsed ? DRAWER_COLLAPSED_WIDTH : DRAWER_WIDTH;
  return (
    <Drawer
      variant="permanent"
      data-testid="nav-drawer"
      data-collapsed={collapsed ? 'true' : 'false'}
      sx={{ width, flexShrink: 0, '& .MuiDrawer-paper': { width, boxSizing: 'border-box', overflowX: 'hidden' } }}
    >
      <Toolbar />
      <nav aria-label="Main">
        <List>
          {items.map((item) => {
            const selected = item.pages.includes(current);
            const link = (
              <ListItemButton
                key={item.id}
                component="a"
                href={item.href}
                selected={selected}
                aria-current={selected ? 'page' : undefined}
                aria-label={collapsed ? item.label : undefined}
                data-testid={`nav-${item.id}`}
                sx={{ px: collapsed ? 2.5 : 2 }}
              >
                <ListItemIcon sx={{ minWidth: collapsed ? 0 : 40 }}>{item.icon}</ListItemIcon>
                {!collapsed && <ListItemText primary={item.label} />}
              </ListItemButton>
            );
            // A list holds list items only (axe "list"): each link sits in its own <li>.
            return (
              <ListItem key={item.id} disablePadding>
                {collapsed ? (
                  <Tooltip title={item.label} placement="right">
                    {link}
                  </Tooltip>
                ) : (
                  link
                )}
              </ListItem>
            );
          })}
        </List>
      </nav>
      <Tooltip title={collapsed ? 'Expand navigation' : 'Collapse navigation'} placement="right">
        <IconButton
          onClick={onToggleCollapsed}
          aria-label={collapsed ? 'Expand navigation' : 'Collapse navigation'}
          aria-expanded={!collapsed}
          data-testid="nav-collapse"
          sx={{ mt: 'auto', mb: 1, alignSelf: collapsed ? 'center' : 'flex-end', mr: collapsed ? 0 : 1 }}
        >
          {collapsed ? <ChevronRightIcon /> : <ChevronLeftIcon />}
        </IconButton>
      </Tooltip>
    </Drawer>
  );
}
