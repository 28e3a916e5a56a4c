import Button from '@mui/material/Button';
import type { Page } from '../../lib/router';
import { href } from '../../lib/router';
import { EmptyState } from '../../components/EmptyState';
import { AdminsPage } from '../admins/AdminsPage';
import { AlertsPage } from '../alerts/AlertsPage';
import { AuditPage } from '../audit/AuditPage';
import { DemoPage } from '../demo/DemoPage';
import { DeploymentsPage } from '../deployments/DeploymentsPage';
import { ClientsPage } from '../clients/ClientsPage';
import { ClientDetailPage } from '../clients/ClientDetailPage';
import { InspectorPage } from '../inspector/InspectorPage';
import { KeysPage } from '../keys/KeysPage';
import { OverviewPage } from '../overview/OverviewPage';
import { SessionDetailPage } from '../session-detail/SessionDetailPage';
import { SessionsPage } from '../sessions/SessionsPage';
import { SettingsPage } from '../settings/SettingsPage';
import { UserDetailPage } from '../user-detail/UserDetailPage';
import { UsersPage } from '../users/UsersPage';

/** The page for a route. Detail pages are keyed by id so their state starts fresh per entity. */
export function Routes({ page }: { page: Page }) {
  switch (page.name) {
    case 'overview':
      return <OverviewPage />;
    case 'users':
      return <UsersPage />;
    case 'user':
      return <UserDetailPage key={page.userId} userId={page.userId} />;
    case 'sessions':
      return <SessionsPage />;
    case 'session':
      return <SessionDetailPage key={page.sessionId} sessionId={page.sessionId} />;
    case 'keys':
      return <KeysPage />;
    case 'clients':
      return <ClientsPage />;
    case 'client':
      return <ClientDetailPage key={page.clientId} clientId={page.clientId} />;
    case 'audit':
      return <AuditPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'inspector':
      return <InspectorPage key={page.token ?? ''} initialToken={page.token} />;
    case 'settings':
      return <SettingsPage />;
    case 'admins':
      return <AdminsPage />;
    case 'demo':
      return <DemoPage />;
    case 'deployments':
      return <DeploymentsPage />;
    case 'not_found':
      return (
        <EmptyState
          title={`Nothing at ${page.path}`}
          hint="The link may be out of date."
          action={
            <Button variant="contained" href={href.overview()} data-testid="not-found-home">
              Go to the overview
            </Button>
          }
          testId="not-found"
        />
      );
  }
}
