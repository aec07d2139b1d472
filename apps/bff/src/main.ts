// Composition root only: env → the BFF (bff.ts) → signals.
import { startBff } from './bff.ts';
import { loadBffConfig } from './env.ts';

const config = loadBffConfig();
startBff(config).then(
  (bff) => {
    process.on('SIGHUP', () => bff.reloadTls());
    const stop = () =>
      void bff.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  },
  (error: unknown) => {
    process.stderr.write(
      `tierscope bff failed to start: ${String(error instanceof Error ? error.stack : error)}\n`,
    );
    process.exit(1);
  },
);
