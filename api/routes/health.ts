import { Router } from 'express';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import { probeWorkflow } from '../../workflows/probe';

interface Check {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

async function timed(work: () => Promise<unknown>): Promise<Check> {
  const started = performance.now();
  try {
    await work();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

/**
 * `GET /healthz`: PostgreSQL and Temporal answer (503 otherwise).
 * `GET /healthz?deep=true` also runs the probe workflow, which proves a worker polls the task queue.
 */
export function healthRoutes(deps: { pool: pg.Pool; temporal: Client; taskQueue: string }): Router {
  const router = Router();
  router.get('/healthz', async (req, res) => {
    const deadline = () => Date.now() + 2_000;
    const checks: Record<string, Check> = {
      postgres: await timed(() => deps.pool.query('select 1')),
      temporal: await timed(() =>
        deps.temporal.connection.withDeadline(deadline(), () =>
          deps.temporal.connection.workflowService.getSystemInfo({}),
        ),
      ),
    };
    if (req.query.deep === 'true' && checks.temporal?.ok && checks.postgres?.ok) {
      checks.worker = await timed(() =>
        deps.temporal.workflow.execute(probeWorkflow, {
          taskQueue: deps.taskQueue,
          workflowId: `probe-${crypto.randomUUID()}`,
          args: [crypto.randomUUID()],
          workflowExecutionTimeout: '5 seconds',
        }),
      );
    }
    const ok = Object.values(checks).every((check) => check.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks });
  });
  return router;
}
