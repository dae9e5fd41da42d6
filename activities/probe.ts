import os from 'node:os';
import type pg from 'pg';

export interface ProbeDeps {
  pool: pg.Pool;
}

export function createProbeActivities({ pool }: ProbeDeps) {
  const identity = `${process.pid}@${os.hostname()}`;
  return {
    /** Idempotent: a retried attempt finds its row already written. */
    async recordProbe(probeId: string): Promise<string> {
      await pool.query(
        'insert into probes (id, worker_identity) values ($1, $2) on conflict (id) do nothing',
        [probeId, identity],
      );
      const { rows } = await pool.query('select worker_identity from probes where id = $1', [probeId]);
      return rows[0].worker_identity as string;
    },
  };
}

export type ProbeActivities = ReturnType<typeof createProbeActivities>;
