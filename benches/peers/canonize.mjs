// JSON-LD → canonical N-Quads (RDFC-1.0) → SHA-256 with jsonld.js 9 and rdf-canonize 5, the
// stack of the Gaia-X compliance service, over every file named on the command line in one
// process; contexts from the repository's pinned copies (contexts/index.json), nothing
// fetched. Prints one `sha256  file` line per file (as `gx-attest canonicalize --hash`) and
// the time taken to standard error.
//
//   node benches/peers/canonize.mjs FILE...
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonld from 'jsonld';
import canonize from 'rdf-canonize';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const contexts = new Map();
const index = JSON.parse(readFileSync(path.join(repo, 'contexts/index.json'), 'utf8'));
for (const [url, file] of Object.entries(index)) {
  contexts.set(url, JSON.parse(readFileSync(path.join(repo, 'contexts', file), 'utf8')));
}
const documentLoader = async (url) => {
  if (contexts.has(url)) {
    return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
  }
  throw new Error(`not pinned: ${url}`);
};

const files = process.argv.slice(2);
const started = process.hrtime.bigint();
let failed = 0;
const lines = [];
for (const file of files) {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const dataset = await jsonld.toRDF(doc, { documentLoader, safe: false });
    const nquads = await canonize.canonize(dataset, { algorithm: 'RDFC-1.0' });
    lines.push(`${createHash('sha256').update(nquads).digest('hex')}  ${file}`);
  } catch (e) {
    failed += 1;
    lines.push(`error  ${file}  ${e.message.split('\n')[0]}`);
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(lines.join('\n') + '\n');
process.stderr.write(`rdf-canonize: ${files.length} files in ${seconds.toFixed(3)} s (${failed} failed)\n`);
