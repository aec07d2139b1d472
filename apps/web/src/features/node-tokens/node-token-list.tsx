import { useMutation } from '@tanstack/react-query';
import type { RotatedChildToken } from '@tierscope/shared/schemas';
import { useState } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { NodeLink } from '../../components/ui/node-link.tsx';
import { NodeStatusPill } from '../../components/ui/status-pill.tsx';
import { api } from '../../lib/trpc.ts';
import { CopyButton } from './copy-button.tsx';
import type { TokenCandidate } from './token-candidates.ts';

type Confirming = { path: string; action: 'rotate' | 'revoke' } | null;

/**
 * Each child with rotate and revoke. Both cut the child off at once (its socket is dropped), so
 * each asks to confirm first; a new token is shown once, here, and never again.
 */
export function NodeTokenList({ nodes }: { nodes: readonly TokenCandidate[] }) {
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [rotated, setRotated] = useState<RotatedChildToken | null>(null);
  const [revoked, setRevoked] = useState<{ path: string; revoked: boolean } | null>(null);
  const rotate = useMutation({
    mutationFn: (nodePath: string) => api.node.rotateChildToken.mutate({ nodePath }),
    onSuccess: (answer) => {
      setRotated(answer);
      setRevoked(null);
      setConfirming(null);
    },
  });
  const revoke = useMutation({
    mutationFn: (nodePath: string) => api.node.revokeChildToken.mutate({ nodePath }),
    onSuccess: (answer) => {
      setRevoked({ path: answer.nodePath, revoked: answer.revoked });
      setRotated(null);
      setConfirming(null);
    },
  });
  const ask = (path: string, action: 'rotate' | 'revoke') => {
    rotate.reset();
    revoke.reset();
    setConfirming({ path, action });
  };

  return (
    <ul className="plain-list token-list">
      {nodes.map((node) => {
        const open = confirming?.path === node.path ? confirming.action : null;
        const error =
          (rotate.variables === node.path && rotate.error) ||
          (revoke.variables === node.path && revoke.error);
        return (
          <li key={node.path} className="token-row" data-testid="token-row" data-node={node.path}>
            <div className="token-node">
              <NodeLink path={node.path} className="mono">
                {node.path}
              </NodeLink>
              <NodeStatusPill status={node.status} />
              <span className="muted">token held by {node.parentPath || 'the BFF'}</span>
            </div>
            <div className="row-gap wrap">
              <button
                type="button"
                className="button"
                aria-expanded={open === 'rotate'}
                aria-label={`Rotate the token of ${node.path}`}
                onClick={() => ask(node.path, 'rotate')}
              >
                Rotate…
              </button>
              <button
                type="button"
                className="button"
                aria-expanded={open === 'revoke'}
                aria-label={`Revoke the token of ${node.path}`}
                onClick={() => ask(node.path, 'revoke')}
              >
                Revoke…
              </button>
            </div>
            {open && (
              <div
                className="token-confirm"
                role="group"
                aria-label={`Confirm: ${open} the token of ${node.path}`}
              >
                <p>
                  {open === 'rotate'
                    ? `A new token for ${node.path}: its old one stops working now, and it stays disconnected until it is set up with the new one.`
                    : `${node.path} is cut off now and cannot attach again until its token is rotated and set up on it.`}
                </p>
                <div className="row-gap wrap">
                  <button
                    type="button"
                    className="button"
                    data-variant="primary"
                    disabled={rotate.isPending || revoke.isPending}
                    onClick={() => (open === 'rotate' ? rotate.mutate(node.path) : revoke.mutate(node.path))}
                  >
                    {open === 'rotate' ? 'Rotate the token' : 'Revoke the token'}
                  </button>
                  <button type="button" className="button" onClick={() => setConfirming(null)}>
                    Cancel
                  </button>
                </div>
              </div>
            )}
            {error && <ErrorNotice error={error} />}
            {rotated?.nodePath === node.path && <NewToken token={rotated} />}
            {revoked?.path === node.path && (
              <div className="notice" data-tone={revoked.revoked ? 'ok' : 'warn'} role="status">
                <div className="notice-body">
                  <p>
                    {revoked.revoked
                      ? `The token of ${node.path} is revoked; it is disconnected.`
                      : `${node.path} had no token to revoke.`}
                  </p>
                </div>
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The token, once: the server keeps only its hash. */
function NewToken({ token }: { token: RotatedChildToken }) {
  return (
    <div className="notice" data-tone="ok" role="status" data-testid="new-token">
      <div className="notice-body">
        <p className="notice-title">New token for {token.nodePath}, shown only now</p>
        <div className="token-value">
          <code className="mono">{token.token}</code>
          <CopyButton text={token.token} label={`Copy the token of ${token.nodePath}`} />
        </div>
        <p>
          Set <code>NODE_TOKEN</code> to it on {token.nodePath} and restart that node; it attaches again with
          the new token. Nobody can show it again: rotate once more if it is lost.
        </p>
      </div>
    </div>
  );
}
