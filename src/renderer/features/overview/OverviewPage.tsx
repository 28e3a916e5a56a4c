import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { href } from '../../lib/router';
import { ActivityChart } from './ActivityChart';
import { StatCard } from './StatCard';

/** Each count opens the view that lists what it counts (a bare number leaves the admin to hunt for it). */
const CARDS = [
  { name: 'users', label: 'Users', hint: 'accounts in this Token Warden', href: href.users() },
  { name: 'activeSessions', label: 'Active sessions', hint: 'signed-in devices right now', href: href.sessions({ status: 'active' }) },
  { name: 'tokensIssued', label: 'Access tokens issued', hint: 'since the data directory was created' },
  { name: 'refreshes', label: 'Refreshes', hint: 'refresh-token rotations' },
  { name: 'revocations', label: 'Revocations', hint: 'sessions, tokens, users and keys revoked', href: href.audit({ q: 'revoked' }) },
  { name: 'reuseAlerts', label: 'Reuse alerts', hint: 'refresh tokens presented twice', href: href.alerts() },
] as const;

/** Live counts and the last hour of activity. Every engine event refreshes it, at most once a second. */
export function OverviewPage() {
  const stats = useAdminQuery('getStats', {}, { refreshOn: () => true, throttleMs: 1_000, keepPrevious: true });
  const data = stats.data;
  return (
    <>
      <PageHeader title="Overview" subtitle="Live: updates as tokens are issued, refreshed and revoked." />
      <ErrorAlert error={stats.error} title="Could not load the statistics" />
      {stats.loading && !data && <Loading />}
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(160px, 1fr))', mb: 3 }}>
        {CARDS.map((card) => (
          <StatCard key={card.name} {...card} href={'href' in card ? card.href : undefined} value={data?.[card.name]} alarming={card.name === 'reuseAlerts'} />
        ))}
      </Box>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h2" gutterBottom>
            Activity per minute
          </Typography>
          {data && data.perMinute.some((m) => m.issued + m.refreshed + m.revoked > 0) ? (
            <ActivityChart perMinute={data.perMinute} />
          ) : (
            <EmptyState
              title="No token activity in the last hour"
              hint="Sign in through the token endpoint (or run a demo client) and issuance appears here live."
              action={
                data && data.users === 0 ? (
                  <Button variant="contained" href={href.users()} data-testid="overview-create-user">
                    Create a user first
                  </Button>
                ) : undefined
              }
              testId="overview-empty"
            />
          )}
        </CardContent>
      </Card>
    </>
  );
}
