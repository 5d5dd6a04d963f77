/**
 * `push` against the local fake Hub: uploads a folder, sets the card's license, prints only the URL on stdout,
 * never the token; refuses a missing token, an existing repo without --update, a non-model folder and a bad license.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { cardFor } from '../../src/cli/push';
import { startFakeHubServer, type FakeHubServer } from '../helpers/fakeHubServer';

const TOKEN = 'hf_cli_secret_token';
let hub: FakeHubServer;
let dir: string;

beforeEach(async () => {
  hub = await startFakeHubServer({ tokens: { [TOKEN]: { name: 'carol', role: 'write' } }, lfsThreshold: 1000 });
  dir = mkdtempSync(join(tmpdir(), 'push-'));
  mkdirSync(join(dir, '1_Pooling'));
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, 'modules.json'), '[]');
  writeFileSync(join(dir, 'config.json'), '{}');
  writeFileSync(join(dir, '1_Pooling', 'config.json'), '{"pooling_mode_mean_tokens":true}');
  writeFileSync(join(dir, 'model.safetensors'), Buffer.alloc(4000, 7));
  writeFileSync(join(dir, 'README.md'), '---\nlicense: mit\ntags:\n- x\n---\n# card\n');
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref');
});
afterEach(async () => {
  delete process.env.HF_TOKEN;
  delete process.env.HF_ENDPOINT;
  rmSync(dir, { recursive: true, force: true });
  await hub.close();
});

async function push(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['push', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('push', () => {
  it('publishes the folder with the token from HF_TOKEN and the endpoint from HF_ENDPOINT', async () => {
    process.env.HF_TOKEN = TOKEN;
    process.env.HF_ENDPOINT = hub.url;
    const r = await push([dir, '--repo', 'my-model', '--private', '--license', 'Apache-2.0']);
    expect(r.stderr).toContain('created carol/my-model (5 files)');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${hub.url}/carol/my-model`);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    const repo = hub.repos.get('carol/my-model')!;
    expect(repo.private).toBe(true);
    expect([...repo.files.keys()].sort()).toEqual(['1_Pooling/config.json', 'README.md', 'config.json', 'model.safetensors', 'modules.json']);
    expect(new TextDecoder().decode(repo.files.get('README.md'))).toBe('---\nlicense: apache-2.0\ntags:\n- x\n---\n# card\n');
    expect(hub.requests.filter((r) => r.method === 'PUT').map((r) => r.authorization)).toEqual([null]);
  });

  it('takes --endpoint over HF_ENDPOINT and refuses an existing repo without --update', async () => {
    process.env.HF_TOKEN = TOKEN;
    process.env.HF_ENDPOINT = 'http://127.0.0.1:9';
    expect((await push([dir, '--repo', 'm', '--endpoint', hub.url])).code).toBe(0);
    const again = await push([dir, '--repo', 'carol/m', '--endpoint', hub.url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/\nerror: carol\/m already exists on the Hub\. Choose another name, or confirm .*--update/);
    expect((await push([dir, '--repo', 'carol/m', '--endpoint', hub.url, '--update'])).stderr).toContain('updated carol/m');
  });

  it('refuses without HF_TOKEN, before any request', async () => {
    const r = await push([dir, '--repo', 'm', '--endpoint', hub.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: Publishing needs a Hugging Face access token .*set HF_TOKEN/);
    expect(hub.requests).toEqual([]);
  });

  it('refuses a folder that is not a model, a missing folder argument and a bad license', async () => {
    process.env.HF_TOKEN = TOKEN;
    const empty = mkdtempSync(join(tmpdir(), 'push-empty-'));
    expect((await push([empty, '--repo', 'm'])).stderr).toMatch(/holds no modules\.json or config\.json/);
    rmSync(empty, { recursive: true });
    expect((await push(['--repo', 'm'])).stderr).toMatch(/needs the model folder first/);
    expect((await push([dir, '--repo', 'm', '--license', 'mit\nx: y'])).stderr).toMatch(/--license must be a Hub license id/);
    expect((await push([dir])).stderr).toMatch(/'push' needs --repo/);
    expect(hub.requests).toEqual([]);
  });

  it('writes a minimal card when the folder has none', () => {
    const card = new TextDecoder().decode(cardFor(new Map(), 'm', 'mit')!);
    expect(card).toMatch(/^---\nlibrary_name: sentence-transformers\npipeline_tag: sentence-similarity\nlicense: "mit"\ntags:\n/);
    expect(card).toContain('\n---\n\n# m\n');
    expect(cardFor(new Map([['README.md', new Uint8Array([35])]]), 'm', null)).toBeNull();
  });
});
