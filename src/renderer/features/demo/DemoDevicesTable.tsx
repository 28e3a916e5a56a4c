import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import { DataGrid, type GridColDef } from '@mui/x-data-grid';
import type { DemoDevice } from '../../../shared/demo';
import { autoRowHeight, fitColumns, fitGridSx, FIT_HEADER_HEIGHT } from '../../components/grid-fit';
import { testIdRow } from '../../components/TestIdRow';
import { Countdown } from '../../components/TimeText';
import { href } from '../../lib/router';
import { KIND_LABEL, propagationText, statusText } from './demo-format';

function StatusCell({ device }: { device: DemoDevice }) {
  const text = statusText(device);
  const color = device.lastStatus === 200 ? 'success' : device.lastStatus === null ? 'default' : 'error';
  return (
    <Chip
      size="small"
      label={text}
      color={color}
      data-testid={`demo-device-status-${device.id}`}
      data-status={text}
      title={device.note ?? undefined}
    />
  );
}

function buildColumns(onSteal: (device: DemoDevice) => void, stealing: boolean): GridColDef<DemoDevice>[] {
  return [
    {
      field: 'displayName',
      headerName: 'User',
      width: 120,
      renderCell: ({ row }) => (
        <Link href={href.user(row.userId)} data-testid={`demo-user-link-${row.id}`} title={row.username}>
          {row.displayName}
        </Link>
      ),
    },
    {
      field: 'deviceName',
      headerName: 'Device',
      flex: 150,
      minWidth: 110,
      renderCell: ({ row }) => (
        <span title={`${KIND_LABEL[row.kind]} · ${row.clientId}${row.rememberMe ? ' · signed in with remember me' : ''}`}>
          {row.deviceName}
          {row.rememberMe && (
            <Typography component="span" variant="caption" sx={{ color: 'text.secondary', ml: 0.5 }} aria-label="remember me">
              ★
            </Typography>
          )}
        </span>
      ),
    },
    { field: 'lastStatus', headerName: 'Last call', width: 85, renderCell: ({ row }) => <StatusCell device={row} /> },
    {
      field: 'state',
      headerName: 'State',
      width: 110,
      renderCell: ({ row }) => (
        <span data-testid={`demo-device-state-${row.id}`} data-state={row.state} title={row.note ? `${row.note}${row.reloginAt !== null ? ' · signs in again in a few seconds' : ''}` : undefined}>
          {row.state === 'logged_out' ? 'logged out' : row.state}
        </span>
      ),
    },
    {
      field: 'accessTokenExpiresAt',
      headerName: 'Token expires',
      width: 110,
      renderCell: ({ row }) => <Countdown at={row.accessTokenExpiresAt} testId={`demo-token-expiry-${row.id}`} />,
    },
    {
      field: 'refreshCount',
      headerName: 'Refreshes',
      width: 80,
      type: 'number',
      renderCell: ({ row }) => <span data-testid={`demo-refresh-count-${row.id}`}>{row.refreshCount}</span>,
    },
    { field: 'calls', headerName: 'Calls', width: 65, type: 'number' },
    {
      field: 'propagation',
      headerName: 'Propagation',
      description: 'How long after an action (force logout, revocation) this device got its first 401',
      flex: 200,
      minWidth: 150,
      sortComparator: (a: DemoDevice['propagation'], b: DemoDevice['propagation']) => (a?.ms ?? -1) - (b?.ms ?? -1),
      renderCell: ({ row }) => {
        const text = propagationText(row);
        return (
          <span
            data-testid={`demo-propagation-${row.id}`}
            data-ms={row.propagation?.ms ?? ''}
            data-action={row.propagation?.action ?? ''}
          >
            {text ?? '—'}
          </span>
        );
      },
    },
    {
      field: 'actions',
      headerName: '',
      width: 115,
      sortable: false,
      renderCell: ({ row }) => (
        <Button
          size="small"
          color="error"
          disabled={stealing || row.state !== 'active'}
          onClick={() => onSteal(row)}
          data-testid={`demo-steal-${row.id}`}
          title="An attacker copies this device's refresh token and replays it after the device rotates"
        >
          Steal token
        </Button>
      ),
    },
  ];
}

const DeviceRow = testIdRow((row) => `demo-device-row-${String(row.id)}`);

interface Props {
  devices: DemoDevice[];
  onSteal: (device: DemoDevice) => void;
  stealing: boolean;
}

/** Every simulated device; paged and virtualised by the grid, so a few hundred stay quick. */
export function DemoDevicesTable({ devices, onSteal, stealing }: Props) {
  return (
    <Box data-testid="demo-devices-table">
      <DataGrid
        rows={devices}
        columns={fitColumns(buildColumns(onSteal, stealing))}
        sx={fitGridSx}
        getRowHeight={autoRowHeight}
        columnHeaderHeight={FIT_HEADER_HEIGHT}
        disableRowSelectionOnClick
        disableColumnFilter
        initialState={{ pagination: { paginationModel: { pageSize: 25, page: 0 } } }}
        pageSizeOptions={[25, 50, 100]}
        slots={{ row: DeviceRow }}
        autoHeight
        density="compact"
      />
    </Box>
  );
}
