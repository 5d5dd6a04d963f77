/**
 * `push <model-folder> --repo NAME [--private] [--endpoint URL] [--license ID] [--update]`: uploads a model folder
 * (what `train` or the studio's export wrote) to the Hugging Face Hub with src/worker/publish.ts. The token comes
 * from HF_TOKEN only (never a flag, so it stays out of shell history and process lists) and is never printed; the
 * endpoint from --endpoint, else HF_ENDPOINT, else https://huggingface.co. Progress goes to stderr, the model's
 * URL to stdout. Ctrl-C cancels before the commit.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { frontMatter, withLicense } from '../worker/cardMetadata';
import { publishModel, type PublishProgress } from '../worker/publish';
import { CliError, Flags, shownArgument, type FlagSpec } from './args';
import { licenseFlag } from './card';
import { formatBytes } from './output';
import type { CliIo } from './io';

export const PUSH_FLAGS: FlagSpec = {
  repo: { type: 'string' },
  private: { type: 'boolean' },
  endpoint: { type: 'string' },
  license: { type: 'string' },
  update: { type: 'boolean' },
};

/** Every file under `dir` by its path relative to it (forward slashes), hidden files and folders skipped. */
export async function readFolder(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const path = relative(dir, full).split('\\').join('/');
    if (path.split('/').some((part) => part.startsWith('.'))) continue;
    files.set(path, new Uint8Array(await readFile(full)));
  }
  return files;
}

/** The folder's README.md with `license` set, or a minimal card when the folder has none. */
export function cardFor(files: ReadonlyMap<string, Uint8Array>, name: string, license: string | null): Uint8Array | null {
  const existing = files.get('README.md');
  if (existing && license === null) return null;
  const text = existing
    ? withLicense(new TextDecoder().decode(existing), license!)
    : [
        ...frontMatter({ baseModel: null, hubDataset: null, license, lossClasses: [], trainCount: 0, widget: [], modelName: name, metrics: null, evaluationName: 'validation' }).filter((l) => l !== '- dataset_size:0'),
        '',
        `# ${name}`,
        '',
        'A sentence-transformers model published with Embedding Studio.',
        '',
      ].join('\n');
  return new TextEncoder().encode(text);
}

/** The folder argument (first, before the flags) and the rest. */
function splitFolder(argv: string[]): { folder: string; rest: string[] } {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) throw new CliError("'push' needs the model folder first: push <model-folder> --repo NAME (see 'push --help')");
  return { folder: first, rest };
}

async function checkFolder(folder: string): Promise<void> {
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw new CliError(`${shownArgument(folder)} is not a folder: give the model folder that 'train' or the studio's export wrote`);
}

/** One line per phase and per finished file on stderr. */
function progressPrinter(io: CliIo): (p: PublishProgress) => void {
  let lastPhase = '';
  let lastFiles = -1;
  return (p) => {
    if (p.phase !== lastPhase) {
      lastPhase = p.phase;
      if (p.phase !== 'done') io.err(`${p.phase}…`);
    }
    if (p.filesDone !== lastFiles && p.phase !== 'checking' && p.phase !== 'creating') {
      lastFiles = p.filesDone;
      io.err(`uploaded ${p.filesDone}/${p.filesTotal} files, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`);
    }
  };
}

export async function pushCommand(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env, fetchFn?: typeof fetch): Promise<number> {
  const { folder, rest } = splitFolder(argv);
  const flags = Flags.parse('push', rest, PUSH_FLAGS);
  const repo = flags.required('repo');
  const license = licenseFlag(flags);
  await checkFolder(folder);
  const files = await readFolder(folder);
  if (!files.has('modules.json') && !files.has('config.json')) {
    throw new CliError(`${shownArgument(folder)} holds no modules.json or config.json: it is not a model folder (give the folder 'train' wrote)`);
  }
  const card = cardFor(files, basename(resolve(folder)), license);
  if (card) files.set('README.md', card);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await publishModel({
      files,
      repo,
      private: flags.bool('private'),
      token: env.HF_TOKEN ?? null,
      endpoint: flags.string('endpoint') ?? env.HF_ENDPOINT,
      allowUpdate: flags.bool('update'),
      signal: controller.signal,
      onProgress: progressPrinter(io),
      ...(fetchFn ? { fetchFn } : {}),
    });
    io.err(`${result.created ? 'created' : 'updated'} ${result.repoId} (${result.files.length} files)`);
    io.out(result.url);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
