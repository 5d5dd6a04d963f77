// Prints, for a model folder and a JSON list of texts (stdin), each text's ids with the tokenizer's special
// tokens and without them: {"full": [[...]], "bare": [[...]]}. Used by variants.py, which truncates and pads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

const dir = process.argv[2];
const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
const tok = new Tokenizer(json, config);
const texts = JSON.parse(readFileSync(0, 'utf8'));
const out = { full: [], bare: [], vocab: {} };
for (const t of texts) {
  out.full.push(tok.encode(t, { add_special_tokens: true }).ids);
  out.bare.push(tok.encode(t, { add_special_tokens: false }).ids);
}
for (const name of process.argv.slice(3)) out.vocab[name] = tok.token_to_id(name) ?? null;
process.stdout.write(JSON.stringify(out));
