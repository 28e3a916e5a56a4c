import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useEffect, useRef } from 'react';
import type { KeyInfo, SigningAlg } from '../../../shared/dto';
import { CopyableId } from '../../components/CopyableId';
import { RoleButton } from '../../components/RoleButton';
import { StatusChip } from '../../components/StatusChip';
import { Countdown, RelativeTime } from '../../components/TimeText';
import { ALG_LABELS, describeUses, groupKeys, keyState, type KeyGroup } from './key-states';

function RetiresCell({ keyInfo }: { keyInfo: KeyInfo }) {
  if (keyInfo.status === 'revoked') return <>revoked <RelativeTime at={keyInfo.revokedAt} /></>;
  if (keyInfo.status === 'active') return <>{keyInfo.signs.length > 0 ? 'signing now' : 'signs nothing now'}</>;
  if (keyInfo.status === 'next') return <>signs at the next rotation</>;
  // A next key discarded by an algorithm change never signed: it retired the moment it was replaced.
  return <Countdown at={keyInfo.retiresAt} pastWord="retired" testId={`key-retires-${keyInfo.kid}`} />;
}

interface GroupActions {
  onRotate: (alg: SigningAlg) => void;
  /** Access tokens switch to this algorithm's pair (one that signs ID tokens now). */
  onUseForAccessTokens: (alg: SigningAlg, active: KeyInfo) => void;
}

/** The row that opens an algorithm's group: what its pair signs, a rotation of that pair, and a switch of access tokens to it. */
function GroupRow({ group, onRotate, onUseForAccessTokens }: { group: KeyGroup } & GroupActions) {
  const active = group.keys.find((key) => key.status === 'active');
  return (
    <TableRow data-testid={`key-group-${group.alg}`} data-access={group.access ? 'true' : 'false'} data-uses={group.uses.join(' ')}>
      <TableCell colSpan={5} sx={{ bgcolor: 'action.hover' }}>
        <Typography component="span" variant="subtitle2">
          {ALG_LABELS[group.alg]}
        </Typography>{' '}
        <Typography component="span" variant="body2" color="text.secondary" data-testid={`key-group-uses-${group.alg}`}>
          {describeUses(group.uses)}
        </Typography>
      </TableCell>
      <TableCell colSpan={2} align="right" sx={{ bgcolor: 'action.hover' }}>
        <Stack direction="row" spacing={1} sx={{ justifyContent: 'flex-end', whiteSpace: 'nowrap' }}>
          {!group.access && active && group.uses.length > 0 && (
            <RoleButton method="updateSettings" size="small" onClick={() => onUseForAccessTokens(group.alg, active)} data-testid={`key-group-access-${group.alg}`}>
              Sign access tokens with it
            </RoleButton>
          )}
          {(group.uses.length > 0 || group.next) && (
            <RoleButton method="rotateSigningKey" size="small" onClick={() => onRotate(group.alg)} data-testid={`key-group-rotate-${group.alg}`}>
              Rotate
            </RoleButton>
          )}
        </Stack>
      </TableCell>
    </TableRow>
  );
}

function KeyRow({ keyInfo: key, access, highlighted, onRevoke }: { keyInfo: KeyInfo; access: boolean; highlighted: boolean; onRevoke: (key: KeyInfo) => void }) {
  const state = keyState(key.status);
  const rowRef = useRef<HTMLTableRowElement | null>(null);
  // A link to one key (`#/keys?kid=…`) brings its row into view, once (the list refreshes every second).
  useEffect(() => {
    if (highlighted) rowRef.current?.scrollIntoView({ block: 'center' });
  }, [highlighted]);
  return (
    <TableRow
      data-testid={`key-row-${key.kid}`}
      data-status={key.status}
      data-alg={key.alg}
      data-access={access ? 'true' : 'false'}
      data-highlighted={highlighted ? 'true' : undefined}
      selected={highlighted}
      ref={rowRef}
    >
      <TableCell sx={{ wordBreak: 'break-all' }}>
        <CopyableId value={key.kid} label="key id" testId={`key-kid-${key.kid}`} wrap />
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
        <RoleButton
          method="revokeSigningKey"
          size="small"
          color="error"
          disabled={key.status === 'revoked' || key.status === 'retired'}
          onClick={() => onRevoke(key)}
          data-testid={`key-revoke-${key.kid}`}
        >
          Revoke
        </RoleButton>
      </TableCell>
    </TableRow>
  );
}

/**
 * Signing keys with what each still vouches for, the rehearsal before retiring or revoking one: grouped by
 * algorithm, each group saying what its pair signs (the access-token algorithm first).
 */
export function KeysTable({
  keys,
  accessAlg,
  highlightKid,
  onRevoke,
  ...actions
}: { keys: KeyInfo[]; accessAlg: SigningAlg; highlightKid?: string | null; onRevoke: (key: KeyInfo) => void } & GroupActions) {
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
      {groupKeys(keys, accessAlg).map((group) => (
        <TableBody key={group.alg} data-testid={`key-group-body-${group.alg}`}>
          <GroupRow group={group} {...actions} />
          {group.keys.map((key) => (
            <KeyRow key={key.kid} keyInfo={key} access={group.access} highlighted={key.kid === highlightKid} onRevoke={onRevoke} />
          ))}
        </TableBody>
      ))}
    </Table>
  );
}
