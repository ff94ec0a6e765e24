/**
 * `npm run bench -- NAME [args]` runs `bench/NAME.ts`. Each benchmark measures against a
 * baseline in the same run and prints the ratio; results are recorded in docs/benchmarks.md.
 */
import { readdirSync } from 'node:fs';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(
    `usage: npm run bench -- NAME [args]\nbenchmarks: ${available.join(', ') || '(none yet)'}\n`,
  );
  process.exit(name ? 2 : 0);
}
const bench = (await import(`./${name}.ts`)) as { default: (args: string[]) => Promise<void> };
await bench.default(args);
