import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import type { GridPaginationModel } from '@mui/x-data-grid';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AdminInput } from '../../../shared/admin-api';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { useDebounced } from '../../components/use-debounced';
import { href, navigate, useRoute } from '../../lib/router';
import { AuditDetail } from './AuditDetail';
import { AuditExport } from './AuditExport';
import { AuditFilters } from './AuditFilters';
import { filterProblems, filtersFromQuery, filtersToQuery, isFiltered, toAuditFilter, type AuditFilterValues } from './audit-filters';
import { AuditTable } from './AuditTable';
import { ChainStatus } from './ChainStatus';

/**
 * The tamper-evident audit trail. The filters live in the URL (a filtered view can be shared; `seq` opens one
 * entry): typing edits a draft that reaches the URL once it settles. Paging follows `beforeSeq` cursors.
 */
export function AuditPage() {
  const route = useRoute();
  const applied = filtersFromQuery(route.query);
  const appliedKey = JSON.stringify(applied);
  const seqParam = route.query.get('seq');
  const seq = seqParam !== null && /^\d+$/.test(seqParam) && Number(seqParam) > 0 ? Number(seqParam) : undefined;
  const [draft, setDraft] = useState<AuditFilterValues>(applied);
  // The URL this page last wrote: reaching it is our own edit arriving, while typing may have gone on since.
  const written = useRef(appliedKey);
  // Navigation elsewhere (a link, back/forward) replaces the draft.
  useEffect(() => {
    if (appliedKey !== written.current) setDraft(JSON.parse(appliedKey) as AuditFilterValues);
    written.current = appliedKey;
  }, [appliedKey]);
  const settled = useDebounced(draft, 300);
  useEffect(() => {
    const settledKey = JSON.stringify(settled);
    if (settledKey === JSON.stringify(draft) && settledKey !== appliedKey) {
      written.current = JSON.stringify(filtersFromQuery(new URLSearchParams(filtersToQuery(settled))));
      navigate(href.audit(filtersToQuery(settled)));
    }
  }, [settled, draft, appliedKey]);

  const open = useCallback((next: number) => navigate(href.audit(filtersToQuery(JSON.parse(appliedKey) as AuditFilterValues, { seq: String(next) }))), [appliedKey]);
  const close = () => navigate(href.audit(filtersToQuery(applied)));

  const user = applied.user.trim();
  const userLookup = useAdminQuery('listUsers', { search: user, limit: 5 }, { enabled: user !== '' });
  const exact = userLookup.data?.items.find((u) => u.username.toLowerCase() === user.toLowerCase());
  const filter = toAuditFilter(applied, exact?.id);
  const valid = Object.keys(filterProblems(applied)).length === 0;
  const ready = valid && (user === '' || !userLookup.loading);
  // Outlives a filter change (a new filter starts at its newest page, at the size chosen).
  const [pageSize, setPageSize] = useState(50);

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every domain event, hash-chained. Newest first. Filters are kept in the address."
        actions={
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <AuditExport filter={filter} disabled={!ready} />
            <ChainStatus />
          </Stack>
        }
      />
      <AuditFilters value={draft} onChange={setDraft} />
      {draft.sessionId && (
        <Alert severity="info" sx={{ mb: 2 }} data-testid="audit-filter-session" action={<Button onClick={() => setDraft({ ...draft, sessionId: '' })}>Show all sessions</Button>}>
          Only the entries of session <code>{draft.sessionId}</code>.
        </Alert>
      )}
      {ready ? (
        <Results key={JSON.stringify(filter)} filter={filter} filtered={isFiltered(applied)} onOpen={open} pageSize={pageSize} onPageSize={setPageSize} />
      ) : !valid ? (
        <Alert severity="info" data-testid="audit-filter-invalid">
          The filters above are not searched until they are fixed.
        </Alert>
      ) : (
        <Loading />
      )}
      <AuditDetail seq={seq} onClose={close} />
    </>
  );
}

interface ResultsProps {
  filter: AdminInput<'listAudit'>;
  filtered: boolean;
  onOpen: (seq: number) => void;
  pageSize: number;
  onPageSize: (size: number) => void;
}

function Results({ filter, filtered, onOpen, pageSize, onPageSize }: ResultsProps) {
  const [pagination, setPagination] = useState<GridPaginationModel>({ page: 0, pageSize });
  // cursors[n] is the beforeSeq that starts page n (undefined for the newest page).
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const firstPage = pagination.page === 0;
  const audit = useAdminQuery('listAudit', { ...filter, beforeSeq: cursors[pagination.page], limit: pagination.pageSize }, {
    // Only events that were audited (seq set) change the log; a routine refresh is announced without one.
    refreshOn: (event) => firstPage && event.seq !== null,
    throttleMs: 1_000,
    keepPrevious: true,
  });

  const changePage = (next: GridPaginationModel) => {
    // The grid also reports models it merely re-derived; an unchanged one must not become a new state.
    if (next.page === pagination.page && next.pageSize === pagination.pageSize) return;
    if (next.pageSize !== pagination.pageSize) {
      setCursors([undefined]);
      setPagination({ page: 0, pageSize: next.pageSize });
      onPageSize(next.pageSize);
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

  return (
    <>
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
          <AuditTable rows={audit.data.items} loading={audit.loading} hasNextPage={audit.data.nextBeforeSeq !== null} pagination={pagination} onPaginationChange={changePage} onOpen={onOpen} />
        </Stack>
      )}
    </>
  );
}
