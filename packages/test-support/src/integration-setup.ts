// Each integration file launches the server apps from the bundles the global setup built; a bundle
// older than its sources fails the file at once rather than testing stale code.
import { launchBundles } from './processes.ts';

launchBundles();
