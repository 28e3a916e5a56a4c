import Button, { type ButtonProps } from '@mui/material/Button';
import Tooltip from '@mui/material/Tooltip';
import type { AdminMethod } from '../../shared/admin-api';
import { roleHint, useCan } from '../lib/role';

/**
 * A button for an admin method: disabled (never hidden) when the signed-in role may not call it, with the
 * role it needs as a tooltip, so a viewer sees what exists. The tooltip sits on a wrapper because a disabled
 * button receives no pointer events.
 */
export function RoleButton({ method, disabled, ...button }: ButtonProps & { method: AdminMethod; 'data-testid'?: string }) {
  const allowed = useCan(method);
  if (allowed) return <Button {...button} disabled={disabled} />;
  return (
    <Tooltip title={roleHint(method)}>
      <span>
        <Button {...button} disabled />
      </span>
    </Tooltip>
  );
}
