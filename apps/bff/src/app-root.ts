import { fileURLToPath } from 'node:url';

/**
 * The app's folder (where its package.json and drizzle/ are), found from this file: src/ and the
 * production bundle's dist/ sit at the same depth, so it holds for both (decision 23).
 */
export const APP_ROOT = fileURLToPath(new URL('../', import.meta.url));
