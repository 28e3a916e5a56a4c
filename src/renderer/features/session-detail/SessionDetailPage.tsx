import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, type ReactNode } from 'react';
import { sessionIsOpen } from '../../../shared/dto';
import { useAdminQuery } from '../../api';
import { RoleButton } from '../../components/RoleButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { CopyableId } from '../../components/CopyableId';
import { PageHeader } from '../../components/PageHeader';
import { StatusChip } from '../../components/StatusChip';
import { revokeAccessTokenSpec, revokeSessionSpec } from '../actions/action-specs';
import { useConfirmAction } from '../actions/use-confirm-action';
import { AccessTokensTable } from './AccessTokensTable';
import { LifecycleTimeline } from './LifecycleTimeline';
import { RefreshChain } from './RefreshChain';
import { SessionFacts } from './SessionFacts';

function Section({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <Card variant="outlined" sx={{ mb: 2 }} data-testid={testId}>
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

/** One device session: its facts, lifecycle timeline, access tokens and refresh chain. */
export function SessionDetailPage({ sessionId }: { sessionId: string }) {
  const [confirm, dialog] = useConfirmAction();
  const ownerRef = useRef<string | null>(null);
  const detail = useAdminQuery(
    'listSessionTokens',
    { sessionId },
    {
      // Anything about this session, its user (force logout, bump) or a key revocation changes what we show.
      refreshOn: (event) =>
        event.sessionId === sessionId ||
        (event.userId !== null && event.userId === ownerRef.current) ||
        event.type === 'key.revoked',
      throttleMs: 300,
      keepPrevious: true,
    },
  );

  const owner = detail.data?.session.userId ?? null;
  useEffect(() => {
    ownerRef.current = owner;
  }, [owner]);

  if (!detail.data) {
    return (
      <>
        <PageHeader title="Session" />
        <ErrorAlert error={detail.error} title="Could not load this session" />
        {detail.loading && <Loading />}
      </>
    );
  }
  const { session, accessTokens, refreshChain, timeline } = detail.data;
  return (
    <>
      <PageHeader
        title={
          <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center' }}>
            <span data-testid="session-device">{session.deviceName}</span>
            <StatusChip status={session.status} testId="session-status" />
          </Stack>
        }
        subtitle={
          <>
            Session <CopyableId value={session.id} label="session id" testId="session-id" wrap />
          </>
        }
        actions={
          <RoleButton
            method="revokeSession"
            color="error"
            variant="contained"
            disabled={!sessionIsOpen(session.status)}
            onClick={() => confirm(revokeSessionSpec(session.id, session.deviceName))}
            data-testid="action-revoke-session"
          >
            Revoke session
          </RoleButton>
        }
      />
      <ErrorAlert error={detail.error} title="Could not refresh this session" />
      <SessionFacts session={session} />
      <Section title="Lifecycle" testId="session-lifecycle">
        <LifecycleTimeline timeline={timeline} accessTokens={accessTokens} />
      </Section>
      <Section title={`Access tokens (${accessTokens.length})`} testId="session-access-tokens">
        <AccessTokensTable tokens={accessTokens} onRevoke={(token) => confirm(revokeAccessTokenSpec(token.jti))} />
      </Section>
      <Section title={`Refresh chain (${refreshChain.length})`} testId="session-refresh-chain">
        <RefreshChain chain={refreshChain} />
      </Section>
      {dialog}
    </>
  );
}
