import type { Actor } from '../domain/roles.ts';
import type {
  AckAlertInput,
  Alert,
  AlertNotifications,
  AlertPage,
  AlertRef,
  CreateSilenceInput,
  ListAlertsInput,
  ListSilencesInput,
  Silence,
  SilencePage,
  SilenceRef,
  TrackedAlertChange,
  WatchAlertsInput,
} from './alerts.schemas.ts';
import type {
  ListRulesInput,
  PreviewRuleInput,
  RulePage,
  RulePreview,
  RuleRef,
  StoredRule,
  UpsertRuleInput,
} from './rules.schemas.ts';

export interface AlertsService {
  list(input: ListAlertsInput): Promise<AlertPage>;
  /** Stored at the owning node with `actor`'s name and the time; NotFoundError for an unknown alert. */
  ack(input: AckAlertInput, actor: Actor): Promise<Alert>;
  unack(input: AlertRef, actor: Actor): Promise<Alert>;
  /**
   * The alert's notifications at the owner and every tier between it and this one; a tier below
   * that does not answer is named in `unanswered` and the rest are returned.
   */
  notifications(input: AlertRef): Promise<AlertNotifications>;
  /**
   * Alert changes, resumable: after `lastEventId` every change since, in order, exactly once;
   * without it, every open alert first. Runs until `signal` aborts.
   */
  watch(input: WatchAlertsInput, signal: AbortSignal): AsyncIterable<TrackedAlertChange>;
}

export interface SilencesService {
  list(input: ListSilencesInput): Promise<SilencePage>;
  create(input: CreateSilenceInput, actor: Actor): Promise<Silence>;
  /** Ends the silence now. */
  expire(ref: SilenceRef, actor: Actor): Promise<Silence>;
}

export interface RulesService {
  list(input: ListRulesInput): Promise<RulePage>;
  upsert(input: UpsertRuleInput, actor: Actor): Promise<StoredRule>;
  delete(ref: RuleRef, actor: Actor): Promise<StoredRule>;
  /** Replays stored history through the rule engine: fires, resolutions and who, with coverage. */
  preview(input: PreviewRuleInput): Promise<RulePreview>;
}
