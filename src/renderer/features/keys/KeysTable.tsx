import Button from '@mui/material/Button';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import type { KeyInfo } from '../../../shared/dto';
import { Mono } from '../../components/Mono';
import { StatusChip } from '../../components/StatusChip';
import { Countdown, RelativeTime } from '../../components/TimeText';
import { ALG_LABELS, keyState } from './key-states';

function RetiresCell({ keyInfo }: { keyInfo: KeyInfo }) {
  if (keyInfo.status === 'revoked') return <>revoked <RelativeTime at={keyInfo.revokedAt} /></>;
  if (keyInfo.status === 'active') return <>signing now</>;
  if (keyInfo.status === 'next') return <>signs at the next rotation</>;
  // A next key discarded by an algorithm change never signed: it retired the moment it was replaced.
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
        {keys.map((key) => {
          const state = keyState(key.status);
          return (
            <TableRow key={key.kid} data-testid={`key-row-${key.kid}`} data-status={key.status}>
              <TableCell>
                <Mono>{key.kid}</Mono>
              </TableCell>
              <TableCell title={ALG_LABELS[key.alg]}>{key.alg}</TableCell>
              <TableCell>
                <Tooltip title={state.help} describeChild>
                  <span data-testid={`key-status-help-${key.kid}`}>
                    <StatusChip status={key.status} label={state.label} testId={`key-status-${key.kid}`} />
                  </span>
                </Tooltip>
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
          );
        })}
      </TableBody>
    </Table>
  );
}
