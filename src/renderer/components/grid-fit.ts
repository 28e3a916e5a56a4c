/**
 * Grids that fit their container at every window size the console supports (1024 px and up): columns
 * share the width in proportion to the width they asked for, shrinking to a floor instead of pushing the
 * last columns (Status, Revoke) off-screen, and cells and headers wrap instead of ending in an ellipsis
 * (a cut-off id or date is as useless as a hidden one). test/e2e/layout.spec.ts holds every view to this.
 */
import type { GridColDef, GridValidRowModel } from '@mui/x-data-grid';
import type { SxProps, Theme } from '@mui/material/styles';

/** The narrowest a text column may get: a short word or a relative time. */
const FLOOR = 64;
/** A flexible column's own minimum, capped: wrapping text needs less than a one-line layout asked for. */
const FLEX_FLOOR_CAP = 100;
/** An action column (no header) holds a small button: 64 px plus the cell's padding. */
const ACTION_FLOOR = 96;

/**
 * Fixed-width columns become flexible ones with the same proportions (100 px ≈ flex 1, as a `flex: 1` column
 * asks): text columns may shrink to about 65 % of their width (they wrap), action columns never below a button.
 */
export function fitColumns<R extends GridValidRowModel>(columns: readonly GridColDef<R>[]): GridColDef<R>[] {
  return columns.map((column) => {
    if (column.flex !== undefined) return column.minWidth === undefined ? column : { ...column, minWidth: Math.min(column.minWidth, FLEX_FLOOR_CAP) };
    const width = column.width ?? 100;
    const action = !column.headerName;
    const minWidth = action ? Math.max(width, ACTION_FLOOR) : Math.min(column.minWidth ?? width, Math.max(FLOOR, Math.round(width * 0.65)));
    return { ...column, width: undefined, flex: width / 100, minWidth };
  });
}

/** Rows grow with their content (DataGrid `getRowHeight`). */
export const autoRowHeight = () => 'auto' as const;

/** Cells and headers wrap; a long unbroken id breaks anywhere. */
export const fitGridSx: SxProps<Theme> = {
  '& .MuiDataGrid-cell': { whiteSpace: 'normal', overflowWrap: 'anywhere', lineHeight: 1.43, py: 0.75, display: 'flex', alignItems: 'center' },
  '& .MuiDataGrid-columnHeaderTitle': { whiteSpace: 'normal', lineHeight: 1.2, overflowWrap: 'anywhere' },
  // The last header's hidden menu button stuck out of it and made every grid scroll sideways by 23 px.
  '& .MuiDataGrid-columnHeader': { overflow: 'hidden' },
};

/** Room for a header of two lines. */
export const FIT_HEADER_HEIGHT = 52;
