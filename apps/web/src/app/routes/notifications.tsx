import { useQuery } from '@tanstack/react-query';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { notificationSettingsQueryOptions } from '../../features/notifications/notification-queries.ts';
import {
  BrowserPushToggle,
  NotificationSettingsForm,
} from '../../features/notifications/notification-settings-form.tsx';

/** How the signed-in user is told about alerts: email, quiet hours, and this browser's pushes. */
export function NotificationsRoute() {
  const query = useQuery(notificationSettingsQueryOptions());
  return (
    <>
      <PageHeader
        title="My notifications"
        subtitle="Where escalation policies that name you reach you. Critical alerts come through quiet hours."
      />
      <div className="two-col">
        <FanOutPanel title="Email and quiet hours" query={query} testId="notification-settings">
          {query.data && <NotificationSettingsForm settings={query.data} />}
        </FanOutPanel>
        <FanOutPanel title="This browser" query={query} testId="browser-push">
          {query.data && <BrowserPushToggle settings={query.data} />}
        </FanOutPanel>
      </div>
    </>
  );
}
