import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import type { Dashboard } from '@tierscope/shared/schemas';
import { useState, type FormEvent } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { formatTimestamp } from '../../lib/format.ts';
import { useRoleAllows } from '../../lib/session.ts';
import { api } from '../../lib/trpc.ts';
import { describeSharing } from './dashboard-page.tsx';
import { dashboardListQueryOptions } from './dashboard-queries.ts';

/** Every dashboard the user may open: their own and those shared with their role. */
export function DashboardListPage() {
  const list = useQuery(dashboardListQueryOptions());
  const canBuild = useRoleAllows('operator');
  return (
    <>
      <PageHeader title="Dashboards" subtitle="Fleet metrics, as panels you arrange and share" />
      {canBuild && <NewDashboardForms />}
      <FanOutPanel
        title="Dashboards"
        query={list}
        summary={list.data ? `${list.data.length}` : undefined}
        isEmpty={list.data?.length === 0}
        emptyTitle="No dashboards"
        flush
      >
        <div className="scroll-table">
          <table>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Owner</th>
                <th scope="col">Sharing</th>
                <th scope="col" className="num">
                  Panels
                </th>
                <th scope="col">Saved</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.map((dashboard) => (
                <tr key={dashboard.id} data-testid="dashboard-row">
                  <td>
                    <Link to="/dashboards/$id" params={{ id: String(dashboard.id) }}>
                      {dashboard.title}
                    </Link>
                  </td>
                  <td>{dashboard.owner.name}</td>
                  <td>{describeSharing(dashboard.sharing)}</td>
                  <td className="num">{dashboard.panels}</td>
                  <td>{formatTimestamp(dashboard.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </FanOutPanel>
    </>
  );
}

/** A new empty dashboard by title, or one imported from exported JSON; both open at once. */
function NewDashboardForms() {
  const [title, setTitle] = useState('');
  const [json, setJson] = useState('');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const opened = async (dashboard: Dashboard) => {
    await queryClient.invalidateQueries({ queryKey: dashboardListQueryOptions().queryKey });
    await navigate({ to: '/dashboards/$id', params: { id: String(dashboard.id) } });
  };
  const create = useMutation({
    mutationFn: (name: string) =>
      api.console.dashboards.save.mutate({ document: { title: name, panels: [] } }),
    onSuccess: opened,
  });
  const importing = useMutation({
    mutationFn: (text: string) => api.console.dashboards.import.mutate({ json: text }),
    onSuccess: opened,
  });
  const submitNew = (event: FormEvent) => {
    event.preventDefault();
    if (title.trim() !== '') create.mutate(title.trim());
  };
  const submitImport = (event: FormEvent) => {
    event.preventDefault();
    if (json.trim() !== '') importing.mutate(json);
  };
  return (
    <div className="dashboard-forms">
      <form className="toolbar" aria-label="New dashboard" onSubmit={submitNew}>
        <label className="field grow">
          <span>New dashboard</span>
          <input
            className="input"
            value={title}
            maxLength={200}
            placeholder="Title"
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        <button type="submit" className="button" data-variant="primary" disabled={create.isPending}>
          Create
        </button>
        {create.error && <ErrorNotice error={create.error} />}
      </form>
      <details className="dashboard-import">
        <summary>Import JSON</summary>
        <form className="toolbar" aria-label="Import dashboard" onSubmit={submitImport}>
          <label className="field grow">
            <span>Exported dashboard</span>
            <textarea
              className="input mono"
              rows={6}
              value={json}
              onChange={(e) => setJson(e.target.value)}
            />
          </label>
          <label className="field">
            <span>or a file</span>
            <input
              type="file"
              accept="application/json,.json"
              onChange={(e) => void e.target.files?.[0]?.text().then(setJson)}
            />
          </label>
          <button type="submit" className="button" disabled={importing.isPending}>
            Import
          </button>
          {importing.error && (
            <div className="full-width">
              <ErrorNotice error={importing.error} />
            </div>
          )}
        </form>
      </details>
    </div>
  );
}
