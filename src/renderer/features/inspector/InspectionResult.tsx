import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Fact } from '../../components/Fact';
import type { Inspection } from '../../../shared/dto';
import { JsonView } from '../../components/JsonView';
import { StatusChip } from '../../components/StatusChip';
import { LinkedId } from '../../components/LinkedId';
import { Countdown } from '../../components/TimeText';
import { href } from '../../lib/router';
import { useNow } from '../../lib/use-now';
import { verdictSentence } from './inspection-text';

const KIND_LABEL: Record<Inspection['kind'], string> = {
  access_token: 'access token (JWT)',
  refresh_token: 'refresh token (opaque)',
  unknown: 'not a Token Warden token',
};

function signatureText(valid: boolean | null): string {
  if (valid === null) return 'not checked';
  return valid ? 'valid' : 'invalid';
}

/** The verdict on one token, why, until when, and everything it carries. */
export function InspectionResult({ inspection }: { inspection: Inspection }) {
  const verdict = inspection.active ? 'active' : 'inactive';
  const now = useNow(1_000);
  const kid = typeof inspection.header?.kid === 'string' ? inspection.header.kid : null;
  const clientId = typeof inspection.claims?.client_id === 'string' ? inspection.claims.client_id : null;
  return (
    <Card variant="outlined" data-testid="inspector-result">
      <CardContent>
        <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: 'center', mb: 1.5, flexWrap: 'wrap' }}>
          <StatusChip status={verdict} testId="inspector-verdict" />
          <Chip label={KIND_LABEL[inspection.kind]} variant="outlined" data-testid="inspector-kind" data-kind={inspection.kind} />
          <Typography variant="body1" data-testid="inspector-reason" data-reason={inspection.reason ?? ''}>
            {verdictSentence(inspection, now)}
            {inspection.reason && (
              <Box component="code" sx={{ ml: 1, color: 'text.secondary' }} data-testid="inspector-reasons" data-reasons={inspection.reasons.join(' ')}>
                ({(inspection.reasons.length > 0 ? inspection.reasons : [inspection.reason]).join(', ')})
              </Box>
            )}
          </Typography>
        </Stack>
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))', mb: 2 }}>
          <Fact label="Signature">
            <span data-testid="inspector-signature" data-valid={String(inspection.signatureValid)}>
              {signatureText(inspection.signatureValid)}
            </span>
          </Fact>
          <Fact label="Expiry">
            <Countdown at={inspection.expiresAt} testId="inspector-expiry" />
          </Fact>
          <Fact label="User">
            {inspection.userId ? (
              <LinkedId value={inspection.username ?? inspection.userId} href={href.user(inspection.userId)} label="username" testId="inspector-user-link" wrap />
            ) : (
              '—'
            )}
          </Fact>
          <Fact label="Session">
            {inspection.sessionId ? (
              <Stack spacing={0.5} sx={{ alignItems: 'flex-start' }}>
                <LinkedId value={inspection.sessionId} href={href.session(inspection.sessionId)} label="session id" testId="inspector-session-link" wrap />
                {inspection.sessionStatus && <StatusChip status={inspection.sessionStatus} testId="inspector-session-status" />}
              </Stack>
            ) : (
              '—'
            )}
          </Fact>
          {clientId && (
            <Fact label="Client">
              <LinkedId value={clientId} href={href.client(clientId)} label="client id" testId="inspector-client-link" wrap />
            </Fact>
          )}
          {kid && (
            <Fact label="Signing key">
              <LinkedId value={kid} href={href.key(kid)} label="key id" testId="inspector-key-link" wrap />
            </Fact>
          )}
        </Box>
        {inspection.header && (
          <>
            <Typography variant="subtitle2" gutterBottom>
              Header
            </Typography>
            <JsonView value={inspection.header} testId="inspector-header" />
          </>
        )}
        {inspection.claims && (
          <>
            <Typography variant="subtitle2" sx={{ mt: 2 }} gutterBottom>
              Claims
            </Typography>
            <JsonView value={inspection.claims} testId="inspector-claims" />
          </>
        )}
      </CardContent>
    </Card>
  );
}
