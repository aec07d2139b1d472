import type { LatestValue } from '@tierscope/shared/schemas';
import { formatAgo, formatValue } from '../../lib/format.ts';
import { useNow } from '../../lib/use-now.ts';
import { metricLabel } from './metric-units.ts';

/** The newest value of every metric, with its unit and how long ago it was sampled. */
export function LatestValues({ values }: { values: Record<string, LatestValue> }) {
  const now = useNow(5000);
  const metrics = Object.keys(values).sort();
  return (
    <dl className="latest-grid">
      {metrics.map((metric) => {
        const latest = values[metric]!;
        const { name, unit } = metricLabel(metric);
        return (
          <div key={metric}>
            <dt title={metric}>{name}</dt>
            <dd>
              {formatValue(latest.value)}
              {unit && <span className="muted"> {unit}</span>}
              <small>{formatAgo(latest.ts, now)}</small>
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
