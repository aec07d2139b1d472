/**
 * "Chrome 126 on Linux" from a User-Agent header: enough to tell one's own sessions apart. Unknown
 * agents (scripts, API clients) are shown as they are, shortened.
 */
export function describeUserAgent(userAgent: string): string {
  const ua = userAgent.trim();
  if (ua === '') return 'Unknown client';
  const browser =
    match(ua, /Edg\/(\d+)/, 'Edge') ??
    match(ua, /Firefox\/(\d+)/, 'Firefox') ??
    match(ua, /(?:Chrome|Chromium|HeadlessChrome)\/(\d+)/, 'Chrome') ??
    (/Safari\//.test(ua) ? match(ua, /Version\/(\d+)/, 'Safari') : undefined);
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /Linux|X11/.test(ua)
            ? 'Linux'
            : undefined;
  if (!browser) return ua.length > 60 ? `${ua.slice(0, 59)}…` : ua;
  return os ? `${browser} on ${os}` : browser;
}

function match(ua: string, pattern: RegExp, name: string): string | undefined {
  const version = pattern.exec(ua)?.[1];
  return version ? `${name} ${version}` : undefined;
}
