import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import OpenInFullIcon from '@mui/icons-material/OpenInFull';
import { useMemo } from 'react';
import { ServerPagedGrid } from '../../components/ServerPagedGrid';
import { type GridColDef, type GridPaginationModel } from '@mui/x-data-grid';
import type { AuditEntry } from '../../../shared/dto';
import { LinkedId } from '../../components/LinkedId';
import { testIdRow } from '../../components/TestIdRow';
import { RelativeTime } from '../../components/TimeText';
import { href } from '../../lib/router';

function compact(data: Record<string, unknown>): string {
  const text = JSON.stringify(data);
  return text === '{}' ? '' : text;
}

function columnsFor(onOpen: (seq: number) => void): GridColDef<AuditEntry>[] {
  return [
    {
      field: 'open',
      headerName: 'Details',
      width: 76,
      sortable: false,
      renderCell: ({ row }) => (
        <IconButton size="small" aria-label={`Details of entry ${row.seq}`} data-testid={`audit-open-${row.seq}`} onClick={() => onOpen(row.seq)}>
          <OpenInFullIcon fontSize="small" />
        </IconButton>
      ),
    },
    ...baseColumns,
  ];
}

const baseColumns: GridColDef<AuditEntry>[] = [
  { field: 'seq', headerName: '#', width: 80 },
  { field: 'at', headerName: 'When', width: 110, renderCell: ({ row }) => <RelativeTime at={row.at} /> },
  { field: 'type', headerName: 'Event', width: 210, renderCell: ({ row }) => <Chip label={row.type} variant="outlined" /> },
  { field: 'actor', headerName: 'Actor', width: 130 },
  {
    field: 'userId',
    headerName: 'User',
    width: 120,
    renderCell: ({ row }) =>
      row.userId ? (
        <LinkedId value={row.userId} href={href.user(row.userId)} label="user id" wrap />
      ) : null,
  },
  {
    field: 'sessionId',
    headerName: 'Session',
    width: 120,
    renderCell: ({ row }) =>
      row.sessionId ? (
        <LinkedId value={row.sessionId} href={href.session(row.sessionId)} label="session id" wrap />
      ) : null,
  },
  { field: 'reason', headerName: 'Reason', width: 150 },
  {
    field: 'data',
    headerName: 'Details',
    flex: 1,
    minWidth: 200,
    renderCell: ({ row }) => <span title={JSON.stringify(row.data, null, 2)}>{compact(row.data)}</span>,
  },
];

const AuditRow = testIdRow((row) => `audit-row-${String(row.seq)}`);
const SLOTS = { row: AuditRow };
const rowId = (row: AuditEntry) => row.seq;
/**
 * Told only while the total is unknown, and always the same object: DataGrid compares paginationMeta by
 * identity (a fresh object each render sets grid state each render), and once it sees hasNextPage: false
 * it computes a row count of its own, which raced ours when a filter jumped from many pages to one and
 * ended in React's "maximum update depth exceeded" (a blank console, seen once in the demo e2e run).
 */
const MORE_PAGES = { hasNextPage: true } as const;

interface Props {
  rows: AuditEntry[];
  loading: boolean;
  hasNextPage: boolean;
  pagination: GridPaginationModel;
  onPaginationChange: (model: GridPaginationModel) => void;
  /** Opens the entry's detail panel. */
  onOpen: (seq: number) => void;
}

/** Audit entries newest first; pages follow sequence-number cursors, so the total is never counted. */
export function AuditTable({ rows, loading, hasNextPage, pagination, onPaginationChange, onOpen }: Props) {
  const columns = useMemo(() => columnsFor(onOpen), [onOpen]);
  return (
    <ServerPagedGrid
      testId="audit-table"
      rows={rows}
      getRowId={rowId}
      columns={columns}
      // Cursor paging never counts the log; once the last page is reached the total is known.
      rowCount={hasNextPage ? -1 : pagination.page * pagination.pageSize + rows.length}
      paginationMeta={hasNextPage ? MORE_PAGES : undefined}
      loading={loading}
      paginationModel={pagination}
      onPaginationModelChange={onPaginationChange}
      pageSizeOptions={[25, 50, 100]}
      slots={SLOTS}
    />
  );
}
