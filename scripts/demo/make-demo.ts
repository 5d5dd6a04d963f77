/**
 * Regenerates the demo dataset and model under public/demo/ (or the folder given as the first argument):
 *   npx tsx scripts/demo/make-demo.ts [outDir]
 * The output is deterministic: running it again rewrites the same bytes.
 */
import { fileURLToPath } from 'node:url';
import { writeFolder } from '../../src/engine/io/writeFolderNode';
import { buildDemoFiles } from './build';

const outDir = process.argv[2] ?? fileURLToPath(new URL('../../public/demo', import.meta.url));
const files = buildDemoFiles();
await writeFolder(outDir, files);
let total = 0;
for (const [path, bytes] of files) {
  total += bytes.length;
  console.log(`${String(bytes.length).padStart(9)}  ${path}`);
}
console.log(`${String(total).padStart(9)}  bytes in ${files.size} files under ${outDir}`);
