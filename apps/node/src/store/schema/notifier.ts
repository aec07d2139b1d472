// The notifier's tables, defined once in packages/notify.
export { notificationFeeds, notificationOutbox } from '@tierscope/notify/notifier-tables';
