import Button from '@mui/material/Button';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import type { KeyInfo } from '../../../shared/dto';
import { Mono } from '../../components/Mono';
import { StatusChip } from '../../components/StatusChip';
import { Countdown, RelativeTime } from '../../components/TimeText';

function RetiresCell({ keyInfo }: { keyInfo: KeyInfo }) {
  if (keyInfo.status === 'revoked') return <>revoked <RelativeTime at={keyInfo.revokedAt} /></>;
  if (keyInfo.status === 'active') return <>signing now</>;
  return <Countdown at={keyInfo.retiresAt} pastWord="retired" testId={`key-retires-${keyInfo.kid}`} />;
}

/** Signing keys with what each still vouches for: the rehearsal before retiring or revoking one. */
export function KeysTable({ keys, onRevoke }: { keys: KeyInfo[]; onRevoke: (key: KeyInfo) => void }) {
  return (
    <Table size="small" data-testid="keys-table">
      <TableHead>
        <TableRow>
          <TableCell>kid</TableCell>
          <TableCell>Algorithm</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Created</TableCell>
          <TableCell>Retires</TableCell>
          <TableCell align="right">Live tokens it signs</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {keys.map((key) => (
          <TableRow key={key.kid} data-testid={`key-row-${key.kid}`} data-status={key.status}>
            <TableCell>
              <Mono>{key.kid}</Mono>
            </TableCell>
            <TableCell>{key.alg}</TableCell>
            <TableCell>
              <StatusChip status={key.status} testId={`key-status-${key.kid}`} />
            </TableCell>
            <TableCell>
              <RelativeTime at={key.createdAt} />
            </TableCell>
            <TableCell>
              <RetiresCell keyInfo={key} />
            </TableCell>
            <TableCell align="right" data-testid={`key-live-${key.kid}`}>
              {key.liveTokens.toLocaleString()}
            </TableCell>
            <TableCell align="right">
              <Button
                size="small"
                color="error"
                disabled={key.status === 'revoked' || key.status === 'retired'}
                onClick={() => onRevoke(key)}
                data-testid={`key-revoke-${key.kid}`}
              >
                Revoke
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
