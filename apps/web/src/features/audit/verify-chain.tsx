import { useQuery } from '@tanstack/react-query';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { formatCount } from '../../lib/format.ts';
import { auditVerifyQueryOptions } from './audit-queries.ts';

/**
 * Checks the audit log's hash chain on request (decision 0009): every row's hash over its
 * predecessor's and its own contents, or the first row that does not match, and why.
 */
export function VerifyChain() {
  const check = useQuery(auditVerifyQueryOptions());
  return (
    <div className="verify-chain">
      <button
        type="button"
        className="button"
        onClick={() => void check.refetch()}
        disabled={check.isFetching}
      >
        {check.isFetching ? 'Verifying…' : 'Verify chain'}
      </button>
      <div aria-live="polite">
        {check.isError && <ErrorNotice error={check.error} />}
        {check.data && !check.isFetching && (
          <div
            className="notice"
            data-tone={check.data.ok ? 'ok' : 'bad'}
            role="status"
            data-testid="chain-result"
          >
            <div className="notice-body">
              {check.data.ok ? (
                <>
                  <p className="notice-title">The chain is intact</p>
                  <p>All {formatCount(check.data.checked)} entries match their hashes.</p>
                </>
              ) : (
                <>
                  <p className="notice-title">The chain is broken at entry {check.data.firstBrokenId}</p>
                  <p>
                    {check.data.reason}. {formatCount(check.data.checked)} entries checked; entries from this
                    one on may have been changed, inserted or removed.
                  </p>
                </>
              )}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
