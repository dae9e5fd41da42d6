import pg from 'pg';

// Return int8 (bigint) columns as JS numbers: our counters stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client whose server went away must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}
