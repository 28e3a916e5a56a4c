import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TablePagination from '@mui/material/TablePagination';
import TableRow from '@mui/material/TableRow';
import { useState } from 'react';
import type { AccessTokenRecord } from '../../../shared/dto';
import { VERDICT_REASON_TEXT } from '../../../shared/verdict';
import { CopyableId } from '../../components/CopyableId';
import { RoleButton } from '../../components/RoleButton';
import { LinkedId } from '../../components/LinkedId';
import { StatusChip } from '../../components/StatusChip';
import { Countdown, RelativeTime } from '../../components/TimeText';
import { href } from '../../lib/router';

interface Props {
  tokens: AccessTokenRecord[];
  onRevoke: (token: AccessTokenRecord) => void;
}

const PAGE = 10;

/** The access tokens a session minted, newest first, with their fate and a revoke button for live ones. */
export function AccessTokensTable({ tokens, onRevoke }: Props) {
  const [page, setPage] = useState(0);
  const newestFirst = [...tokens].sort((a, b) => b.issuedAt - a.issuedAt);
  const shown = newestFirst.slice(page * PAGE, page * PAGE + PAGE);
  return (
    <>
      <Table size="small" data-testid="access-tokens-table">
        <TableHead>
          <TableRow>
            <TableCell>jti</TableCell>
            <TableCell>Key</TableCell>
            <TableCell>Issued</TableCell>
            <TableCell>Expires</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Reason</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {shown.map((token) => (
            <TableRow key={token.jti} data-testid={`access-token-row-${token.jti}`}>
              <TableCell>
                <CopyableId value={token.jti} label="jti" wrap />
              </TableCell>
              <TableCell>
                <LinkedId value={token.kid} href={href.key(token.kid)} label="key id" wrap />
              </TableCell>
              <TableCell>
                <RelativeTime at={token.issuedAt} />
              </TableCell>
              <TableCell>
                <Countdown at={token.expiresAt} testId={`access-token-expiry-${token.jti}`} />
              </TableCell>
              <TableCell>
                <StatusChip status={token.status} testId={`access-token-status-${token.jti}`} />
              </TableCell>
              <TableCell data-testid={`access-token-reason-${token.jti}`} data-reason={token.reason ?? undefined}>
                {token.reason ? VERDICT_REASON_TEXT[token.reason] : '—'}
              </TableCell>
              <TableCell align="right">
                <RoleButton
                  method="revokeAccessToken"
                  size="small"
                  color="error"
                  disabled={token.status !== 'live'}
                  onClick={() => onRevoke(token)}
                  data-testid={`access-token-revoke-${token.jti}`}
                >
                  Revoke
                </RoleButton>
              </TableCell>
            </TableRow>
          ))}
          {tokens.length === 0 && (
            <TableRow>
              <TableCell colSpan={7} sx={{ color: 'text.secondary' }}>
                This session has not minted an access token.
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      {tokens.length > PAGE && (
        <TablePagination
          component="div"
          count={tokens.length}
          page={page}
          rowsPerPage={PAGE}
          rowsPerPageOptions={[PAGE]}
          onPageChange={(_event, next) => setPage(next)}
        />
      )}
    </>
  );
}
