import Box from '@mui/material/Box';
import { DataGrid, type DataGridProps, type GridValidRowModel } from '@mui/x-data-grid';

type Passed<R extends GridValidRowModel> = Pick<
  DataGridProps<R>,
  'rows' | 'columns' | 'rowCount' | 'loading' | 'paginationModel' | 'onPaginationModelChange' | 'pageSizeOptions' | 'slots' | 'getRowId' | 'onRowClick' | 'paginationMeta' | 'sx'
>;

/**
 * A DataGrid whose paging, filtering and sorting all happen on the server (the console's tables must stay
 * instant at 100k users and 1M sessions), compact and auto-height. DataGrid does not forward data-* props to
 * its root, so the test id sits on a wrapper.
 */
export function ServerPagedGrid<R extends GridValidRowModel>({ testId, ...grid }: Passed<R> & { testId: string }) {
  return (
    <Box data-testid={testId}>
      <DataGrid<R>
        {...grid}
        paginationMode="server"
        filterMode="server"
        sortingMode="server"
        disableColumnFilter
        disableColumnSorting
        disableRowSelectionOnClick
        autoHeight
        density="compact"
      />
    </Box>
  );
}
