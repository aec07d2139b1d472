import {
  serviceOfProcedures,
  withOverrides,
  type NodeService,
  type ServiceOverrides,
} from '@tierscope/shared';

/**
 * A `NodeService` for tests that gives only what `overrides` gives: any other method fails the
 * call that reaches it, naming the procedure, so a test states exactly what it relies on.
 *
 * ```ts
 * const service = fakeNodeService({ devices: { list: async () => page([device('d1')]) } });
 * ```
 */
export function fakeNodeService(overrides: ServiceOverrides = {}): NodeService {
  const unexpected = serviceOfProcedures((procedure) =>
    procedure.type === 'subscription'
      ? // eslint-disable-next-line require-yield
        async function* () {
          throw new Error(`fakeNodeService: ${procedure.path} was not given to this fake`);
        }
      : () => Promise.reject(new Error(`fakeNodeService: ${procedure.path} was not given to this fake`)),
  );
  // The node's optional methods stay absent unless given, as on a leaf.
  delete unexpected.node.watch;
  delete unexpected.node.rotateChildToken;
  delete unexpected.node.revokeChildToken;
  return withOverrides(unexpected, overrides);
}
