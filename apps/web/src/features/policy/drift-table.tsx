import type { PolicyNodeStatus } from '@tierscope/shared/schemas';
import { NodeLink } from '../../components/ui/node-link.tsx';
import { useNow } from '../../lib/use-now.ts';
import { describeDriftRow } from './drift-wording.ts';

/**
 * Every node of the fleet: its policy state, the version meant for it against the one it runs, and
 * what that means (a rejection's reason in full, an unreachable node's last version and age).
 */
export function DriftTable({ nodes }: { nodes: readonly PolicyNodeStatus[] }) {
  const now = useNow(1000);
  const sorted = [...nodes].sort((a, b) => a.path.localeCompare(b.path));
  return (
    <div className="table-scroll" role="region" aria-label="Policy drift, scrollable" tabIndex={0}>
      <table className="data-table">
        <caption className="visually-hidden">Policy drift</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">State</th>
            <th scope="col">Desired</th>
            <th scope="col">Applied</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((node) => {
            const row = describeDriftRow(node, now);
            return (
              <tr key={node.path} data-testid="drift-row" data-path={node.path} data-state={node.state}>
                <th scope="row" className="mono">
                  <NodeLink path={node.path}>{node.path}</NodeLink>
                </th>
                <td>
                  <span className="row-gap wrap">
                    <span className="pill" data-tone={row.tone}>
                      {node.state}
                    </span>
                    {node.canary && (
                      <span className="pill" data-tone="neutral" data-testid="canary-marker">
                        canary
                      </span>
                    )}
                  </span>
                </td>
                <td className="num">{row.desired}</td>
                <td className="num">{row.applied}</td>
                <td className="wide-cell">{row.detail}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
