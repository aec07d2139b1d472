import { useSyncExternalStore } from 'react';

/** Whether a media query matches now; re-renders when it changes. */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    () => window.matchMedia(query).matches,
    () => false,
  );
}

/** The width below which the layout turns into one column with a bottom tab bar (global.css). */
export const NARROW_QUERY = '(max-width: 760px)';
