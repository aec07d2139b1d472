// The notifier's tables, defined once in packages/notify.
export {
  notificationEscalations,
  notificationEscalationSeq,
  notificationFeeds,
  notificationOutbox,
} from '@tierscope/notify/notifier-tables';
