import { useSyncExternalStore } from 'react';
import type { ChartTheme } from './echart-option.ts';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string) => style.getPropertyValue(name).trim();
  return {
    text: v('--text'),
    muted: v('--text-muted'),
    grid: v('--chart-grid'),
    surface: v('--surface'),
    border: v('--border-strong'),
    palette: ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5', '--chart-6'].map(v),
  };
}

let cached: { scheme: string; theme: ChartTheme } | undefined;
function currentTheme(): ChartTheme {
  // The wall (data-wall on the root) has colours of its own, whatever the system's scheme.
  const scheme = `${window.matchMedia(DARK_QUERY).matches}:${document.documentElement.hasAttribute('data-wall')}`;
  if (cached?.scheme !== scheme) cached = { scheme, theme: readTheme() };
  return cached.theme;
}

/** The chart colours of the system's colour scheme; charts re-render when it switches. */
export function useChartTheme(): ChartTheme {
  return useSyncExternalStore((onChange) => {
    const list = window.matchMedia(DARK_QUERY);
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, currentTheme);
}
