#!/usr/bin/env node
import { runCli } from './cli';

// First Ctrl-C: finish cleanly (the command stops between batches); a second one exits at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());
// EPIPE when the reader of our output goes away (journey tail | head): stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') controller.abort();
});

void runCli(process.argv.slice(2), controller.signal).then((code) => {
  process.exitCode = code;
});
