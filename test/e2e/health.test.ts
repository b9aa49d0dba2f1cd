import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('/healthz when the database is gone', () => {
  it('answers 503 once the database file is deleted from under the app', async () => {
    t = await startTestApp();
    expect((await t.get('/healthz')).status).toBe(200);
    rmSync(t.database.path);
    const res = await t.get('/healthz');
    expect(res.status).toBe(503);
    expect(res.json.ok).toBe(false);
  });

  it('answers 503 once the connection is closed', async () => {
    t = await startTestApp();
    t.database.close();
    expect((await t.get('/healthz')).status).toBe(503);
  });
});
