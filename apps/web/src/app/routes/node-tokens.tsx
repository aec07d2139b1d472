import { useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { NodeTokenList } from '../../features/node-tokens/node-token-list.tsx';
import { tokenCandidates } from '../../features/node-tokens/token-candidates.ts';
import { useNodeTree } from '../../lib/node-watch.tsx';

/** The tokens children present when they dial their parent's uplink: rotate or revoke them. */
export function NodeTokensRoute() {
  const tree = useNodeTree();
  const nodes = useMemo(() => tokenCandidates(tree.rows), [tree.rows]);
  return (
    <>
      <PageHeader
        title="Node tokens"
        subtitle="A node behind a firewall dials its parent's uplink with a token. Rotate one that may have leaked; revoke one to cut a node off."
      />
      <FanOutPanel
        title="Children"
        query={tree}
        showLatency={false}
        summary={`${nodes.length}`}
        isEmpty={nodes.length === 0}
        emptyTitle="No children"
        emptyText="This console federates no other nodes."
        testId="node-tokens-panel"
      >
        <p className="panel-note">
          Only children that dial their parent have a token; for a child its parent dials, the server says it
          has none.
        </p>
        <NodeTokenList nodes={nodes} />
      </FanOutPanel>
    </>
  );
}
