import { GridRow, type GridRowProps } from '@mui/x-data-grid';

/**
 * A DataGrid row slot that carries a stable `data-testid` built from the row (e.g. `user-row-alice`), for
 * the end-to-end scenarios. Create one per table with `testIdRow(row => ...)`.
 */
export function testIdRow(testIdOf: (row: GridRowProps['row']) => string) {
  function Row(props: GridRowProps) {
    return <GridRow {...props} data-testid={testIdOf(props.row)} />;
  }
  return Row;
}
