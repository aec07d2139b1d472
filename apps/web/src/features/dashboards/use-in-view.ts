import { useEffect, useRef, useState } from 'react';

/**
 * Whether the element has come into view (with a margin of half a screen, so a panel scrolled to
 * is ready): only panels in view ask the server. Once seen, a panel keeps its answer and refreshes
 * only while in view.
 */
export function useInView<T extends Element>(): { ref: React.RefObject<T | null>; inView: boolean } {
  const ref = useRef<T>(null);
  // Without IntersectionObserver (old browsers, tests' DOMs) every panel counts as in view.
  const [inView, setInView] = useState(typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => setInView(entries.some((entry) => entry.isIntersecting)),
      { rootMargin: '50% 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, inView };
}
