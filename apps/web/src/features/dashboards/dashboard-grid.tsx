import type { Panel, PanelGrid } from '@tierscope/shared/schemas';
import { DASHBOARD_COLUMNS } from '@tierscope/shared/schemas';
import { useMemo, type ReactNode } from 'react';
import ReactGridLayout, { useContainerWidth, verticalCompactor, type Layout } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import { NARROW_QUERY, useMediaQuery } from '../../lib/use-media-query.ts';

/** Grid rows in px, and the gap between panels: a panel's chart height follows from them. */
export const ROW_HEIGHT = 40;
const MARGIN = 12;
/** The panel's header and padding above and below its chart. */
const PANEL_CHROME = 96;

export function chartHeightOf(grid: PanelGrid, rowHeight = ROW_HEIGHT): number {
  return Math.max(80, grid.h * rowHeight + (grid.h - 1) * MARGIN - PANEL_CHROME);
}

/** The grid as react-grid-layout takes it. */
export function layoutOf(panels: readonly Panel[]): Layout {
  return panels.map((p) => ({ i: p.id, ...p.grid, minW: 2, minH: 3 }));
}

/** The panels with the positions the grid reports (a panel it does not list keeps its own). */
export function withLayout(panels: readonly Panel[], layout: Layout): Panel[] {
  const byId = new Map(layout.map((item) => [item.i, item]));
  return panels.map((panel) => {
    const item = byId.get(panel.id);
    if (!item) return panel;
    const grid = { x: item.x, y: item.y, w: item.w, h: item.h };
    const same = (Object.keys(grid) as (keyof PanelGrid)[]).every((k) => grid[k] === panel.grid[k]);
    return same ? panel : { ...panel, grid };
  });
}

/** The panels in reading order (row, then column): how a phone stacks them. */
export function readingOrder(panels: readonly Panel[]): Panel[] {
  return [...panels].sort((a, b) => a.grid.y - b.grid.y || a.grid.x - b.grid.x);
}

/**
 * The dashboard's panels on a 12-column grid; while editing, each is dragged by its header and
 * resized from its corner. On a narrow screen they stack in reading order at their own heights.
 */
export function DashboardGrid({
  panels,
  editing,
  rowHeight = ROW_HEIGHT,
  onLayout,
  renderPanel,
}: {
  panels: readonly Panel[];
  editing: boolean;
  rowHeight?: number;
  onLayout: (panels: Panel[]) => void;
  renderPanel: (panel: Panel, chartHeight: number) => ReactNode;
}) {
  const narrow = useMediaQuery(NARROW_QUERY);
  const { width, containerRef, mounted } = useContainerWidth();
  const layout = useMemo(() => layoutOf(panels), [panels]);
  if (narrow)
    return (
      <div className="dashboard-stack">
        {readingOrder(panels).map((panel) => (
          <div key={panel.id}>
            {renderPanel(panel, chartHeightOf({ ...panel.grid, h: Math.min(panel.grid.h, 8) }, rowHeight))}
          </div>
        ))}
      </div>
    );
  return (
    <div ref={containerRef} className="dashboard-grid" data-editing={editing}>
      {mounted && (
        <ReactGridLayout
          width={width}
          layout={layout}
          compactor={verticalCompactor}
          gridConfig={{
            cols: DASHBOARD_COLUMNS,
            rowHeight,
            margin: [MARGIN, MARGIN],
            containerPadding: [0, 0],
          }}
          dragConfig={{
            enabled: editing,
            handle: '.panel-header',
            cancel: 'button, a, input, select, summary',
          }}
          resizeConfig={{ enabled: editing, handles: ['se'] }}
          onLayoutChange={(next) => {
            if (editing) onLayout(withLayout(panels, next));
          }}
        >
          {panels.map((panel) => (
            <div key={panel.id} data-testid={`grid-item-${panel.id}`}>
              {renderPanel(panel, chartHeightOf(panel.grid, rowHeight))}
            </div>
          ))}
        </ReactGridLayout>
      )}
    </div>
  );
}
