// Inline icons: a few paths each, drawn in currentColor so they follow the theme.
const common = {
  width: 18,
  height: 18,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 2,
  strokeLinecap: 'round',
  strokeLinejoin: 'round',
  'aria-hidden': true,
  focusable: false,
} as const;

export function LogoIcon() {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="var(--accent)" />
      <circle cx="16" cy="9" r="3" fill="var(--accent-text)" />
      <circle cx="9" cy="22" r="3" fill="var(--accent-text)" />
      <circle cx="23" cy="22" r="3" fill="var(--accent-text)" />
      <path d="M16 12v4m0 0-5.5 3.5M16 16l5.5 3.5" stroke="var(--accent-text)" strokeWidth="2" fill="none" />
    </svg>
  );
}

export function OverviewIcon() {
  return (
    <svg {...common}>
      <rect x="3" y="3" width="7" height="9" rx="1.5" />
      <rect x="14" y="3" width="7" height="5" rx="1.5" />
      <rect x="14" y="12" width="7" height="9" rx="1.5" />
      <rect x="3" y="16" width="7" height="5" rx="1.5" />
    </svg>
  );
}

export function DevicesIcon() {
  return (
    <svg {...common}>
      <rect x="4" y="4" width="16" height="16" rx="2" />
      <rect x="9" y="9" width="6" height="6" />
      <path d="M9 1v3M15 1v3M9 20v3M15 20v3M20 9h3M20 14h3M1 9h3M1 14h3" />
    </svg>
  );
}

export function EventsIcon() {
  return (
    <svg {...common}>
      <path d="M8 6h13M8 12h13M8 18h13" />
      <circle cx="3.5" cy="6" r="1" />
      <circle cx="3.5" cy="12" r="1" />
      <circle cx="3.5" cy="18" r="1" />
    </svg>
  );
}

export function NodesIcon() {
  return (
    <svg {...common}>
      <rect x="9" y="2" width="6" height="5" rx="1" />
      <rect x="2" y="17" width="6" height="5" rx="1" />
      <rect x="16" y="17" width="6" height="5" rx="1" />
      <path d="M12 7v5M5 17v-3h14v3" />
    </svg>
  );
}

export function AlertsIcon() {
  return (
    <svg {...common}>
      <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z" />
      <path d="M10 20.5a2 2 0 0 0 4 0" />
    </svg>
  );
}

export function AdminIcon() {
  return (
    <svg {...common}>
      <path d="M12 2.5 4 5.5v6c0 5 3.4 8.6 8 10 4.6-1.4 8-5 8-10v-6z" />
      <circle cx="12" cy="10" r="2.5" />
      <path d="M8 16.5c.8-1.8 2.2-2.7 4-2.7s3.2.9 4 2.7" />
    </svg>
  );
}

export function PolicyIcon() {
  return (
    <svg {...common}>
      <path d="M6 3h9l4 4v14H6z" />
      <path d="M14 3v5h5M9 12h7M9 16h7" />
    </svg>
  );
}

export function DashboardsIcon() {
  return (
    <svg {...common}>
      <rect x="4" y="4" width="7" height="9" rx="1" />
      <rect x="13" y="4" width="7" height="5" rx="1" />
      <rect x="13" y="11" width="7" height="9" rx="1" />
      <rect x="4" y="15" width="7" height="5" rx="1" />
    </svg>
  );
}

export function ReportIcon() {
  return (
    <svg {...common}>
      <path d="M4 20h16" />
      <path d="M7 16v-5M12 16V7M17 16v-8" />
    </svg>
  );
}
