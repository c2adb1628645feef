/**
 * One database per test file, on the server at DATABASE_URL (`npm test` starts an embedded one when
 * it is unset), so files run in parallel without seeing each other's schemas.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database made for one test file. */
export interface TestDatabase {
  /** Connection string of the new database: DATABASE_URL with the database name replaced. */
  url: string;
  /** Drops the database WITH (FORCE), disconnecting whoever is still connected. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, uniquely named database on the server at `process.env.DATABASE_URL`.
 *
 * @throws Error when DATABASE_URL is unset.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env['DATABASE_URL'];
  if (!serverUrl) {
    throw new Error(
      'DATABASE_URL is not set: run the tests with `npm test` (it starts an embedded PostgreSQL) ' +
        'or set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test',
    );
  }
  // Lower case and unquoted-safe; the pid and random part keep parallel files and runs apart.
  const name = `test_${process.pid}_${randomBytes(6).toString('hex')}`;
  // template0: template1 may hold extras, and a session connected to it would make CREATE DATABASE fail.
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.href,
    drop: () => {
      dropped ??= withClient(serverUrl, async (client) => {
        // Connections of this process still open (a scheduler that closes one a moment after its
        // stop() resolved) would be cut by the FORCE below, and a cut client with no error listener
        // fails the test: give them a moment, and name any that stay.
        const deadline = Date.now() + 3000;
        let left: { application_name: string; state: string }[] = [];
        for (;;) {
          ({ rows: left } = await client.query(
            'SELECT application_name, state FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [name],
          ));
          if (left.length === 0 || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        if (left.some((c) => c.application_name.startsWith('pg-cron-scheduler'))) {
          process.stderr.write(`test database ${name}: still connected at drop: ${JSON.stringify(left)}\n`);
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
      return dropped;
    },
  };
}

async function withClient(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
