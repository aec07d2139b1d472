import { useState } from 'react';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { ChangePasswordForm } from '../../features/auth/change-password-form.tsx';

/** The signed-in user's own password; changing it ends their other sessions. */
export function PasswordRoute() {
  const [changed, setChanged] = useState(0);
  return (
    <>
      <PageHeader title="Change password" subtitle="Your other sessions end when you change it." />
      <section className="panel panel-narrow" aria-label="New password">
        <div className="panel-body">
          {changed > 0 && (
            <div className="notice" data-tone="ok" role="status">
              <div className="notice-body">
                <p className="notice-title">Password changed</p>
                <p>Every other session of yours has ended; this one goes on.</p>
              </div>
            </div>
          )}
          {/* A new form after each change, so no password stays in its fields. */}
          <ChangePasswordForm key={changed} onChanged={() => setChanged((n) => n + 1)} />
        </div>
      </section>
    </>
  );
}
