// @ts-check
// Regenerates every generated table from the committed inputs under data/ (`npm run gen`), or,
// with --check, fails when a committed generated file differs from what the generators produce
// (`npm run gen:check`, run in CI). Each generator module exports a pure `generate()`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const generators = ['./gen-directives.mjs', './gen-seccomp.mjs'];
const check = process.argv.includes('--check');

let stale = 0;
for (const g of generators) {
  const mod = await import(g);
  for (const { path: rel, content } of mod.generate()) {
    const file = path.join(root, rel);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (check) {
      if (current !== content) {
        console.error(`${rel} is stale: run \`npm run gen\` and commit the result.`);
        stale++;
      } else {
        console.log(`${rel} is up to date.`);
      }
    } else if (current !== content) {
      fs.writeFileSync(file, content);
      console.log(`wrote ${rel}`);
    }
  }
}
if (stale > 0) process.exit(1);
