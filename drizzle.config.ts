import { defineConfig } from 'drizzle-kit';

// drizzle-kit reads the schema and writes SQL migrations into migrations/, which are committed
// and applied by src/db/client.ts at start-up.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
