/**
 * cli — the `alignboard` command: a thin shell that parses options, calls one domain
 * function and prints the result (stdout) or progress and logs (stderr).
 */
export { buildProgram, main } from './main.js';
export { createProgressBar, type ProgressBar } from './progress.js';
