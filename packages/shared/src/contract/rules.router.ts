import {
  ListRulesInput,
  PreviewRuleInput,
  RulePreview,
  RuleRef,
  StoredRule,
  UpsertRuleInput,
} from './rules.schemas.ts';
import { adminProcedure, router, viewerProcedure } from './trpc.ts';

export const rulesRouter = router({
  /** A page has no `.output()`: the parent checks what it takes (docs/decisions/0012). */
  list: viewerProcedure
    .meta({ page: true })
    .input(ListRulesInput)
    .query(({ ctx, input }) => ctx.node.rules.list(input)),
  upsert: adminProcedure
    .meta({ audit: 'rule.upsert' })
    .input(UpsertRuleInput)
    .output(StoredRule)
    .mutation(({ ctx, input }) => ctx.node.rules.upsert(input, ctx.actor)),
  delete: adminProcedure
    .meta({ audit: 'rule.delete' })
    .input(RuleRef)
    .output(StoredRule)
    .mutation(({ ctx, input }) => ctx.node.rules.delete(input, ctx.actor)),
  /** What a rule would have done over stored history, for the editor (admins, who edit rules). */
  preview: adminProcedure
    .meta({ deadlineMs: 10_000 })
    .input(PreviewRuleInput)
    .output(RulePreview)
    .query(({ ctx, input }) => ctx.node.rules.preview(input)),
});
