import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';

interface Props {
  open: boolean;
  /** Changed fields that would be lost (invalid edits count as none). */
  changes: number;
  onStay: () => void;
  onLeave: () => void;
}

/** "Leave without saving?": asked when a link is followed with unsaved settings. */
export function LeaveSettingsDialog({ open, changes, onStay, onLeave }: Props) {
  return (
    <Dialog open={open} onClose={onStay} data-testid="settings-leave-dialog" aria-labelledby="settings-leave-title">
      <DialogTitle id="settings-leave-title">Leave without saving?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          {changes > 0
            ? `${changes} changed setting${changes === 1 ? ' is' : 's are'} not saved yet and will be lost.`
            : 'Your edits are not saved yet and will be lost.'}
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onLeave} color="error" data-testid="settings-leave-discard">
          Discard and leave
        </Button>
        <Button onClick={onStay} variant="contained" autoFocus data-testid="settings-leave-stay">
          Stay and keep editing
        </Button>
      </DialogActions>
    </Dialog>
  );
}
