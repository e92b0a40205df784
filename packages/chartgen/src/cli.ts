import { main } from './main.js';

// The chartgen process: src/main.ts does the work with the process's streams; this file only sets the exit code.
process.exitCode = await main(process.argv.slice(2));
