import { useCallback, useState, type ReactElement } from 'react';
import { ConfirmActionDialog, type ConfirmActionProps } from './ConfirmActionDialog';

/** A destructive action waiting for confirmation. */
export type ActionSpec = Omit<ConfirmActionProps, 'open' | 'onClose'>;

/**
 * One confirmation dialog per page: `confirm(spec)` opens it for an action; the dialog previews the blast
 * radius, runs the action and shows the receipt.
 */
export function useConfirmAction(): [(spec: ActionSpec) => void, ReactElement] {
  const [spec, setSpec] = useState<ActionSpec | null>(null);
  const [open, setOpen] = useState(false);
  const confirm = useCallback((next: ActionSpec) => {
    setSpec(next);
    setOpen(true);
  }, []);
  const dialog = spec ? (
    <ConfirmActionDialog {...spec} open={open} onClose={() => setOpen(false)} />
  ) : (
    <></>
  );
  return [confirm, dialog];
}
