/**
 * Every log line the test process writes (API and Temporal SDK), kept in memory so a test can scan
 * them for secrets; printed as well when LOG_LEVEL is set.
 */
export const logLines: string[] = [];

export const captureStream = {
  write(line: string): void {
    logLines.push(line);
    if (process.env.LOG_LEVEL) process.stdout.write(line);
  },
};
