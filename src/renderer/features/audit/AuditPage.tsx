import Stack from '@mui/material/Stack';
import type { GridPaginationModel } from '@mui/x-data-grid';
import { useState } from 'react';
import type { AdminInput } from '../../../shared/admin-api';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { useDebounced } from '../../components/use-debounced';
import { AuditFilters, NO_FILTERS, type AuditFilterValues } from './AuditFilters';
import { AuditTable } from './AuditTable';
import { ChainStatus } from './ChainStatus';

/**
 * The tamper-evident audit trail. Paging follows `beforeSeq` cursors: page n starts below the last seq of
 * page n-1. The first page stays live; deeper pages hold still while you read them.
 */
export function AuditPage() {
  const [filters, setFilters] = useState<AuditFilterValues>(NO_FILTERS);
  const [pagination, setPagination] = useState<GridPaginationModel>({ page: 0, pageSize: 50 });
  // cursors[n] is the beforeSeq that starts page n (undefined for the newest page).
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const settled = useDebounced(filters, 300);

  // "User" takes a username or an id; resolve a username through the users list.
  const userLookup = useAdminQuery('listUsers', { search: settled.user, limit: 5 }, { enabled: settled.user.trim() !== '' });
  const exact = userLookup.data?.items.find((user) => user.username.toLowerCase() === settled.user.trim().toLowerCase());
  const userId = settled.user.trim() === '' ? undefined : (exact?.id ?? settled.user.trim());

  const input: AdminInput<'listAudit'> = {
    actor: settled.actor.trim() || undefined,
    userId,
    type: settled.type || undefined,
    since: settled.since,
    until: settled.until,
    beforeSeq: cursors[pagination.page],
    limit: pagination.pageSize,
  };
  const firstPage = pagination.page === 0;
  const audit = useAdminQuery('listAudit', input, {
    // Only events that were audited (seq set) change the log; a routine refresh is announced without one.
    refreshOn: (event) => firstPage && event.seq !== null,
    throttleMs: 1_000,
    keepPrevious: true,
    enabled: settled.user.trim() === '' || !userLookup.loading,
  });

  const changeFilters = (next: AuditFilterValues) => {
    setFilters(next);
    setCursors([undefined]);
    setPagination((p) => ({ ...p, page: 0 }));
  };
  const changePage = (next: GridPaginationModel) => {
    // The grid also reports models it merely re-derived; an unchanged one must not become a new state.
    if (next.page === pagination.page && next.pageSize === pagination.pageSize) return;
    if (next.pageSize !== pagination.pageSize) {
      setCursors([undefined]);
      setPagination({ page: 0, pageSize: next.pageSize });
      return;
    }
    if (next.page > pagination.page) {
      // Forward moves one page at a time, to where the current page's cursor points.
      const cursor = audit.data?.nextBeforeSeq;
      if (cursor === null || cursor === undefined) return;
      const page = pagination.page + 1;
      setCursors((list) => [...list.slice(0, page), cursor]);
      setPagination({ page, pageSize: next.pageSize });
      return;
    }
    setPagination(next);
  };

  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  return (
    <>
      <PageHeader title="Audit log" subtitle="Every domain event, hash-chained. Newest first." actions={<ChainStatus />} />
      <AuditFilters value={filters} onChange={changeFilters} />
      <ErrorAlert error={audit.error} title="Could not load the audit log" />
      {audit.loading && !audit.data && <Loading />}
      {audit.data && audit.data.items.length === 0 && firstPage && (
        <EmptyState
          title={filtered ? 'No entries match these filters' : 'The audit log is empty'}
          hint={filtered ? 'Widen the time range or clear a filter.' : 'Create a user or sign in through the token endpoint: every event lands here.'}
          testId="audit-empty"
        />
      )}
      {audit.data && (audit.data.items.length > 0 || !firstPage) && (
        <Stack>
          <AuditTable
            rows={audit.data.items}
            loading={audit.loading}
            hasNextPage={audit.data.nextBeforeSeq !== null}
            pagination={pagination}
            onPaginationChange={changePage}
          />
        </Stack>
      )}
    </>
  );
}
