import type { PolicyNodeStatus } from '@tierscope/shared/schemas';
import { NodeLink } from '../../components/ui/node-link.tsx';
import { ScrollTable } from '../../components/ui/scroll-table.tsx';
import { useNow } from '../../lib/use-now.ts';
import { describeDriftRow } from './drift-wording.ts';

const COLUMNS = [{ header: 'Node' }, { header: 'State' }, { header: 'Desired' }, { header: 'Applied' }];

/**
 * Every node of the fleet: its policy state, the version meant for it against the one it runs, and
 * what that means (a rejection's reason in full, an unreachable node's last version and age).
 */
export function DriftTable({ nodes }: { nodes: readonly PolicyNodeStatus[] }) {
  const now = useNow(1000);
  const sorted = [...nodes].sort((a, b) => a.path.localeCompare(b.path));
  return (
    <ScrollTable label="Policy drift" columns={COLUMNS}>
      {sorted.map((node) => {
        const row = describeDriftRow(node, now);
        return (
          <tr key={node.path} data-testid="drift-row" data-path={node.path} data-state={node.state}>
            <th scope="row" className="mono">
              <NodeLink path={node.path}>{node.path}</NodeLink>
            </th>
            {/* The detail sits under the state, so a phone shows both without scrolling sideways. */}
            <td className="wide-cell">
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
              <span className="drift-detail" data-testid="drift-detail">
                {row.detail}
              </span>
            </td>
            <td className="num">{row.desired}</td>
            <td className="num">{row.applied}</td>
          </tr>
        );
      })}
    </ScrollTable>
  );
}
