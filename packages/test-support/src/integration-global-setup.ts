// The integration project's global setup: the server apps are bundled once before any file runs,
// and every test file then launches tiers from those bundles (integration-setup.ts). A tier from
// its bundle is ready in about two thirds of the time it takes through tsx (decision 23), and the
// integration files start well over a hundred tiers.
import { buildAppBundles } from './build-app-bundles.ts';
import { REPO_ROOT } from './processes.ts';

export default async function bundleServerApps(): Promise<void> {
  await buildAppBundles(REPO_ROOT);
}
