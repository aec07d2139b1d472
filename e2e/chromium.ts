import { CHROMIUM_ARGS } from '@tierscope/shared/chromium';

/** Debian's Chromium (no browser downloads here), launched as every Tierscope process launches it. */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [...CHROMIUM_ARGS],
};
