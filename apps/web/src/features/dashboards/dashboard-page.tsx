import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import type { Role } from '@tierscope/shared/domain';
import type { Dashboard, DashboardDocument, DashboardSharing, Panel } from '@tierscope/shared/schemas';
import { useCallback, useMemo, useState } from 'react';
import { FilterBar, NodeFilter, TextFilter } from '../../components/ui/filter-fields.tsx';
import { SelectField, TextField } from '../../components/ui/form-fields.tsx';
import { ErrorNotice, Skeleton } from '../../components/ui/notices.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { TimeRangePicker } from '../../components/ui/time-range-picker.tsx';
import { useNodeTree } from '../../lib/node-watch.tsx';
import { useRoleAllows } from '../../lib/session.ts';
import { describeRange, rangeToSearch, type RangeSelection } from '../../lib/time-range.ts';
import { api } from '../../lib/trpc.ts';
import { DashboardGrid } from './dashboard-grid.tsx';
import { DashboardPanel } from './dashboard-panel.tsx';
import { dashboardListQueryOptions, dashboardQueryOptions } from './dashboard-queries.ts';
import { rangeOf, variablesOf, type DashboardSearch } from './dashboard-search.ts';
import { PanelEditor } from './panel-editor.tsx';
import { draftOf, newPanelDraft, type PanelDraft } from './panel-draft.ts';

const SHARING_OPTIONS: { value: string; label: string; sharing: DashboardSharing }[] = [
  { value: 'private', label: 'Private (only me)', sharing: { visibility: 'private' } },
  { value: 'viewer', label: 'Shared with everyone', sharing: { visibility: 'shared', minRole: 'viewer' } },
  {
    value: 'operator',
    label: 'Shared with operators and admins',
    sharing: { visibility: 'shared', minRole: 'operator' },
  },
  { value: 'admin', label: 'Shared with admins', sharing: { visibility: 'shared', minRole: 'admin' } },
];

const sharingValue = (sharing: DashboardSharing) =>
  sharing.visibility === 'private' ? 'private' : sharing.minRole;

export function describeSharing(sharing: DashboardSharing): string {
  if (sharing.visibility === 'private') return 'private';
  const roles: Record<Role, string> = {
    viewer: 'everyone',
    operator: 'operators and admins',
    admin: 'admins',
  };
  return `shared with ${roles[sharing.minRole]}`;
}

/** The JSON a dashboard exports as: what `get` returns, which `import` takes back. */
function downloadJson(dashboard: Dashboard): void {
  const blob = new Blob([JSON.stringify(dashboard, null, 2)], { type: 'application/json' });
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = `dashboard-${dashboard.id}.json`;
  link.click();
  URL.revokeObjectURL(href);
}

/**
 * One dashboard: its panels on the grid over the URL's time range and variables. Its owner (or an
 * admin) edits it in place: add, edit and remove panels, drag and resize them, share, save.
 */
export function DashboardPage({
  id,
  search,
  onSearch,
}: {
  id: number;
  search: DashboardSearch;
  onSearch: (next: Partial<DashboardSearch>) => void;
}) {
  const query = useQuery(dashboardQueryOptions(id));
  if (query.status === 'pending') return <Skeleton label="dashboard" />;
  if (query.status === 'error')
    return <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <DashboardView
      key={`${query.data.id}:${query.data.version}`}
      dashboard={query.data}
      search={search}
      onSearch={onSearch}
    />
  );
}

type EditorState = { mode: 'closed' } | { mode: 'open'; draft: PanelDraft; replacing: string | null };

function DashboardView({
  dashboard,
  search,
  onSearch,
}: {
  dashboard: Dashboard;
  search: DashboardSearch;
  onSearch: (next: Partial<DashboardSearch>) => void;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const canBuild = useRoleAllows('operator');
  const [draft, setDraft] = useState<DashboardDocument | null>(
    dashboard.editable && dashboard.document.panels.length === 0 ? dashboard.document : null,
  );
  const [editor, setEditor] = useState<EditorState>({ mode: 'closed' });
  const document = draft ?? dashboard.document;
  const variables = useMemo(() => variablesOf(search), [search]);
  const range = rangeOf(search, document.range);
  const { rows: nodes } = useNodeTree();
  const nodeOptions = useMemo(
    () => nodes.filter((n) => n.path !== '').map((n) => ({ path: n.path, label: n.path })),
    [nodes],
  );
  const metrics = useMemo(
    () => [...new Set(document.panels.map((p) => p.query.metric))].sort(),
    [document.panels],
  );

  const save = useMutation({
    mutationFn: (next: DashboardDocument) =>
      api.console.dashboards.save.mutate({ id: dashboard.id, version: dashboard.version, document: next }),
    onSuccess: async (saved) => {
      setDraft(null);
      queryClient.setQueryData(dashboardQueryOptions(saved.id).queryKey, saved);
      await queryClient.invalidateQueries({ queryKey: dashboardListQueryOptions().queryKey });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.console.dashboards.delete.mutate({ id: dashboard.id }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: dashboardListQueryOptions().queryKey });
      await navigate({ to: '/dashboards' });
    },
  });

  const setPanels = useCallback((panels: Panel[]) => setDraft((d) => (d ? { ...d, panels } : d)), []);
  const applyPanel = (panel: Panel, replacing: string | null) => {
    setDraft((d) =>
      d
        ? {
            ...d,
            panels: replacing ? d.panels.map((p) => (p.id === replacing ? panel : p)) : [...d.panels, panel],
          }
        : d,
    );
    setEditor({ mode: 'closed' });
  };
  const setRange = (selection: RangeSelection) => onSearch(rangeToSearch(selection));
  const editing = draft !== null;

  return (
    <div className="dashboard" data-testid="dashboard" data-editing={editing}>
      <PageHeader
        title={editing ? 'Editing dashboard' : document.title}
        documentTitle={document.title}
        crumbs={[{ label: 'Dashboards' }]}
        subtitle={`${describeRange(range)} · ${describeSharing(document.sharing)} · by ${dashboard.owner.name}`}
        actions={
          <div className="toolbar">
            {!editing && (
              <Link
                className="button"
                to="/dashboards/$id/wall"
                params={{ id: String(dashboard.id) }}
                search={{ ...search }}
              >
                Wall mode
              </Link>
            )}
            {!editing && (
              <button type="button" className="button" onClick={() => downloadJson(dashboard)}>
                Export JSON
              </button>
            )}
            {!editing && dashboard.editable && canBuild && (
              <button
                type="button"
                className="button"
                data-variant="primary"
                onClick={() => setDraft(dashboard.document)}
              >
                Edit
              </button>
            )}
          </div>
        }
      />
      {editing && (
        <form
          className="toolbar panel dashboard-edit-bar"
          aria-label="Dashboard settings"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate(draft);
          }}
        >
          <TextField
            label="Title"
            grow
            maxLength={200}
            value={draft.title}
            onChange={(title) => setDraft({ ...draft, title })}
          />
          <SelectField
            label="Sharing"
            value={sharingValue(draft.sharing)}
            options={SHARING_OPTIONS.map((option) => option.value)}
            optionLabel={(value) => SHARING_OPTIONS.find((o) => o.value === value)?.label ?? value}
            onChange={(value) =>
              setDraft({
                ...draft,
                sharing: SHARING_OPTIONS.find((o) => o.value === value)?.sharing ?? { visibility: 'private' },
              })
            }
          />
          <button
            type="button"
            className="button"
            onClick={() => setEditor({ mode: 'open', draft: newPanelDraft(draft.panels), replacing: null })}
          >
            Add panel
          </button>
          <button type="submit" className="button" data-variant="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save dashboard'}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setDraft(null);
              setEditor({ mode: 'closed' });
            }}
          >
            Discard changes
          </button>
          <button
            type="button"
            className="button"
            data-variant="danger"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Delete the dashboard "${dashboard.document.title}"?`)) remove.mutate();
            }}
          >
            Delete
          </button>
          {(save.error ?? remove.error) && (
            <div className="full-width">
              <ErrorNotice error={save.error ?? remove.error} />
            </div>
          )}
        </form>
      )}
      {editor.mode === 'open' && (
        <PanelEditor
          key={editor.draft.id}
          initial={editor.draft}
          metrics={metrics}
          onSave={(panel) => applyPanel(panel, editor.replacing)}
          onCancel={() => setEditor({ mode: 'closed' })}
        />
      )}
      <FilterBar label="Dashboard variables">
        <TimeRangePicker value={range} onChange={setRange} />
        <TextFilter
          label="Site"
          value={variables.site}
          onCommit={(site) => onSearch({ site })}
          placeholder="every site"
          maxLength={200}
        />
        <TextFilter
          label="Kind"
          value={variables.kind}
          onCommit={(kind) => onSearch({ kind })}
          placeholder="every kind"
          maxLength={64}
        />
        <NodeFilter nodes={nodeOptions} value={variables.node} onChange={(node) => onSearch({ node })} />
      </FilterBar>
      {document.panels.length === 0 ? (
        <p className="empty-hint">No panels yet: add one to start.</p>
      ) : (
        <DashboardGrid
          panels={document.panels}
          editing={editing}
          onLayout={setPanels}
          renderPanel={(panel, chartHeight) => (
            <DashboardPanel
              panel={panel}
              variables={variables}
              range={range}
              chartHeight={chartHeight}
              actions={
                editing ? (
                  <>
                    <button
                      type="button"
                      className="button"
                      aria-label={`Edit panel ${panel.title}`}
                      onClick={() => setEditor({ mode: 'open', draft: draftOf(panel), replacing: panel.id })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="button"
                      aria-label={`Remove panel ${panel.title}`}
                      onClick={() => setPanels(document.panels.filter((p) => p.id !== panel.id))}
                    >
                      Remove
                    </button>
                  </>
                ) : undefined
              }
            />
          )}
        />
      )}
    </div>
  );
}
