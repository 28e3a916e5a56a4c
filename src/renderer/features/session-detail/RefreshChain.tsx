import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { RefreshTokenRecord } from '../../../shared/dto';
import { CopyableId } from '../../components/CopyableId';
import { Mono } from '../../components/Mono';
import { UserAgent } from '../../components/UserAgent';
import { StatusChip } from '../../components/StatusChip';
import { RelativeTime } from '../../components/TimeText';

/**
 * The refresh tokens of a session, in rotation order: each one used once and succeeded by the next. This is
 * the record of every routine refresh (when, from which address and user agent), audited or not.
 */
export function RefreshChain({ chain }: { chain: RefreshTokenRecord[] }) {
  return (
    <Table size="small" data-testid="refresh-chain">
      <TableHead>
        <TableRow>
          <TableCell>#</TableCell>
          <TableCell>Token (hash prefix)</TableCell>
          <TableCell>Created</TableCell>
          <TableCell>Used</TableCell>
          <TableCell>Presented by</TableCell>
          <TableCell>Successor</TableCell>
          <TableCell>Refresh version</TableCell>
          <TableCell>Status</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {chain.map((token, index) => (
          <TableRow key={token.id} data-testid={`refresh-row-${token.id}`}>
            <TableCell>{index + 1}</TableCell>
            <TableCell>
              <CopyableId value={token.id} label="refresh token hash prefix" wrap />
            </TableCell>
            <TableCell>
              <RelativeTime at={token.createdAt} />
            </TableCell>
            <TableCell>{token.usedAt === null ? 'unused' : <RelativeTime at={token.usedAt} />}</TableCell>
            <TableCell data-testid={`refresh-used-by-${token.id}`}>
              {token.usedBy === null ? (
                '—'
              ) : (
                <>
                  <Mono>{token.usedBy.ip || 'unknown address'}</Mono>
                  {token.usedBy.userAgent && (
                    <Typography variant="caption" component="div" sx={{ color: 'text.secondary', overflowWrap: 'anywhere' }}>
                      <UserAgent value={token.usedBy.userAgent} />
                    </Typography>
                  )}
                </>
              )}
            </TableCell>
            <TableCell>{token.successorId === null ? '—' : <CopyableId value={token.successorId} label="successor hash prefix" wrap />}</TableCell>
            <TableCell>{token.refreshVersion}</TableCell>
            <TableCell>
              <StatusChip status={token.status} testId={`refresh-status-${token.id}`} />
            </TableCell>
          </TableRow>
        ))}
        {chain.length === 0 && (
          <TableRow>
            <TableCell colSpan={8} sx={{ color: 'text.secondary' }}>
              No refresh tokens (the client did not ask for one).
            </TableCell>
          </TableRow>
        )}
      </TableBody>
    </Table>
  );
}
