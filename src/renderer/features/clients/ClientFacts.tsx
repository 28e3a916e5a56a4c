import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import type { ClientInfo } from '../../../shared/dto';
import { CopyableId } from '../../components/CopyableId';
import { Fact } from '../../components/Fact';
import { AbsoluteTime, Countdown } from '../../components/TimeText';
import { describeSeconds } from './client-form';

const uriList = (uris: string[], testId: string) => (
  <div data-testid={testId}>
    {uris.length === 0 ? '—' : uris.map((uri) => (
      <div key={uri}>
        <CopyableId value={uri} label="Copy URI" wrap />
      </div>
    ))}
  </div>
);

const lifetime = (seconds: number | null, testId: string) => (
  <span data-testid={testId}>{seconds === null ? 'Install setting' : `${describeSeconds(String(seconds))} (${seconds} s)`}</span>
);

/** Everything a client is registered with, and its state (disabled, a previous secret still accepted). */
export function ClientFacts({ client }: { client: ClientInfo }) {
  return (
    <Card variant="outlined" sx={{ mb: 2 }}>
      <CardContent>
        <Stack direction="row" spacing={4} useFlexGap sx={{ flexWrap: 'wrap', '& > *': { minWidth: 180, maxWidth: '100%' } }}>
          <Fact label="Client id">
            <CopyableId value={client.clientId} label="Copy client id" testId="client-id" />
          </Fact>
          <Fact label="Kind" testId="client-kind">
            {client.kind}
          </Fact>
          <Fact label="Created">
            <AbsoluteTime at={client.createdAt} testId="client-created" />
          </Fact>
          <Fact label="Registration changed">{client.updatedAt === null ? 'never' : <AbsoluteTime at={client.updatedAt} />}</Fact>
          {client.disabledAt !== null && (
            <Fact label="Disabled" testId="client-disabled-facts">
              <AbsoluteTime at={client.disabledAt} /> {client.disabledReason ? `— ${client.disabledReason}` : ''}
            </Fact>
          )}
          {client.kind === 'confidential' && (
            <Fact label="Previous secret" testId="client-previous-secret">
              {client.previousSecretExpiresAt === null ? (
                'not accepted'
              ) : (
                <>
                  accepted until <AbsoluteTime at={client.previousSecretExpiresAt} /> (<Countdown at={client.previousSecretExpiresAt} pastWord="ended" />)
                </>
              )}
            </Fact>
          )}
        </Stack>
        <Stack direction="row" spacing={4} useFlexGap sx={{ flexWrap: 'wrap', mt: 2, '& > *': { minWidth: 180, maxWidth: '100%' } }}>
          <Fact label="Redirect URIs">{uriList(client.redirectUris, 'client-redirect-uris')}</Fact>
          <Fact label="Post-logout redirect URIs">{uriList(client.postLogoutRedirectUris, 'client-post-logout-uris')}</Fact>
          <Fact label="Back-channel logout URI">{uriList(client.backchannelLogoutUri === null ? [] : [client.backchannelLogoutUri], 'client-backchannel-uri')}</Fact>
          <Fact label="Grants" testId="client-grants">
            <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
              {client.grantTypes.length === 0 ? 'none' : client.grantTypes.map((grant) => <Chip key={grant} label={grant} size="small" />)}
            </Stack>
          </Fact>
          <Fact label="ID token algorithm" testId="client-id-token-alg">
            {client.idTokenSignedResponseAlg}
          </Fact>
        </Stack>
        <Stack direction="row" spacing={4} useFlexGap sx={{ flexWrap: 'wrap', mt: 2 }}>
          <Fact label="Access token lifetime">{lifetime(client.accessTokenTtlSeconds, 'client-access-ttl')}</Fact>
          <Fact label="Session idle lifetime">{lifetime(client.refreshIdleSeconds, 'client-refresh-idle')}</Fact>
          <Fact label="Session absolute lifetime">{lifetime(client.refreshAbsoluteSeconds, 'client-refresh-absolute')}</Fact>
        </Stack>
      </CardContent>
    </Card>
  );
}
