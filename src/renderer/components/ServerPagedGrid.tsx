import Box from '@mui/material/Box';
import { DataGrid, type DataGridProps, type GridValidRowModel } from '@mui/x-data-grid';
import { useMemo } from 'react';
import { autoRowHeight, fitColumns, fitGridSx, FIT_HEADER_HEIGHT } from './grid-fit';

type Passed<R extends GridValidRowModel> = Pick<
  DataGridProps<R>,
  'rows' | 'columns' | 'rowCount' | 'loading' | 'paginationModel' | 'onPaginationModelChange' | 'pageSizeOptions' | 'slots' | 'getRowId' | 'onRowClick' | 'paginationMeta' | 'sx' | 'sortModel' | 'onSortModelChange'
>;

/**
 * A DataGrid whose paging, filtering and sorting all happen on the server (the console's tables must stay
 * instant at 100k users and 1M sessions), compact and auto-height, its columns fitted to the width (grid-fit.ts).
 * DataGrid does not forward data-* props to its root, so the test id sits on a wrapper.
 */
export function ServerPagedGrid<R extends GridValidRowModel>({ testId, columns, sx, ...grid }: Passed<R> & { testId: string }) {
  const fitted = useMemo(() => fitColumns(columns), [columns]);
  return (
    <Box data-testid={testId}>
      <DataGrid<R>
        {...grid}
        columns={fitted}
        sx={[fitGridSx, ...(Array.isArray(sx) ? sx : sx ? [sx] : [])]}
        getRowHeight={autoRowHeight}
        columnHeaderHeight={FIT_HEADER_HEIGHT}
        paginationMode="server"
        filterMode="server"
        sortingMode="server"
        disableColumnFilter
        // Sorting is the server's too: only a table that handles the sort model lets its columns sort.
        disableColumnSorting={grid.onSortModelChange === undefined}
        disableRowSelectionOnClick
        autoHeight
        density="compact"
      />
    </Box>
  );
}
