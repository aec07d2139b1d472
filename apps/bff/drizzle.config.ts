import { defineConfig } from 'drizzle-kit';

// Only the generator reads this; the BFF applies the committed files in drizzle/ at start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema/*.ts',
  out: './drizzle',
});
