// Where the benches keep their raw figures: bench/results/ (not committed), one JSON file a run,
// named by the bench and the time it ended, so that a figure in bench/*.md can name its file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder; {@link saveResults} creates it. */
export const RESULTS_DIR = new URL('./results/', import.meta.url);

/** Writes `figures` to bench/results/<bench>-<ISO time>.json, and says where. */
export function saveResults(bench, figures) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = fileURLToPath(new URL(`${bench}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, RESULTS_DIR));
  writeFileSync(file, JSON.stringify(figures, null, 2));
  console.log(`Raw figures: ${file}`);
}
