import { buildWorkflowBundle } from './workflow-bundle';

/* The process bundleWorkflowsApart forks: it builds the bundle and answers its code or the error. */
process.once('message', (request: { interceptorModules: string[] }) => {
  buildWorkflowBundle(request.interceptorModules).then(
    (code) => process.send!({ code }, () => process.exit(0)),
    (error: unknown) =>
      process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
        process.exit(1),
      ),
  );
});

// The worker died while this built: nobody waits for the bundle.
process.once('disconnect', () => process.exit(1));
