/**
 * The studio's "Publish to the Hub" through the bridge and the store: the request carries the form and the model
 * step's token, progress and the outcome land in the store (a refusal's reason too), Cancel targets the running
 * publish, and no request goes out without a token. The panel renders its link on success.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { StudioBridge, type WorkerLike } from '../../src/ui/bridge';
import { BridgeContext } from '../../src/ui/context';
import { PublishPanel } from '../../src/ui/steps/PublishPanel';
import { createStudioStore, StoreContext } from '../../src/ui/store';
import type { WorkerRequest, WorkerResponse } from '../../src/worker/protocol';

class FakeWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent<WorkerResponse>) => void) | null = null;
  readonly sent: WorkerRequest[] = [];
  postMessage(message: WorkerRequest): void {
    this.sent.push(message);
  }
  reply(message: WorkerResponse): void {
    this.onmessage?.({ data: message } as MessageEvent<WorkerResponse>);
  }
}

function setup() {
  const worker = new FakeWorker();
  const store = createStudioStore();
  const bridge = new StudioBridge(worker, store, { createUrl: () => 'blob:x', revokeUrl: () => {}, download: () => {} });
  return { worker, store, bridge };
}

describe('publish from the studio', () => {
  it('sends the form with the token, shows progress, then the model page', async () => {
    const { worker, store, bridge } = setup();
    store.getState().hubTokenChanged({ token: ' hf_abc ' });
    store.getState().publishFormChanged({ repo: 'me/model', private: false, license: 'MIT' });
    const p = bridge.publish('model');
    const req = worker.sent.at(-1)!;
    expect(req).toMatchObject({ type: 'publish', repo: 'me/model', private: false, allowUpdate: false, card: { modelName: 'model', license: 'mit' }, onnx: true });
    expect(req.type === 'publish' && req.token.trim()).toBe('hf_abc');
    expect(store.getState().publishing.status).toBe('running');
    worker.reply({ type: 'progress', id: req.id, done: 10, total: 40, label: 'uploaded 1 of 4 files', unit: 'bytes' });
    expect(store.getState().publishing.progress).toMatchObject({ done: 10, total: 40 });
    bridge.cancelPublish();
    expect(worker.sent.at(-1)).toMatchObject({ type: 'cancel', target: req.id });
    worker.reply({ type: 'result', id: req.id, result: { type: 'published', ok: true, repoId: 'me/model', url: 'https://huggingface.co/me/model', created: true, files: ['README.md'] } });
    await p;
    expect(store.getState().publishing).toMatchObject({ status: 'ready', done: { repoId: 'me/model', url: 'https://huggingface.co/me/model' }, error: null });
    const html = renderToStaticMarkup(
      createElement(StoreContext.Provider, { value: { ...store, getInitialState: store.getState } }, createElement(BridgeContext.Provider, { value: bridge }, createElement(PublishPanel, { modelName: 'model' }))),
    );
    expect(html).toContain('href="https://huggingface.co/me/model"');
    expect(html).toContain('Published');
  });

  it('keeps the reason of a refusal, offering the update after repo_exists', async () => {
    const { worker, store, bridge } = setup();
    store.getState().hubTokenChanged({ token: 'hf_abc' });
    store.getState().publishFormChanged({ repo: 'model' });
    const p = bridge.publish('model');
    const message = 'me/model already exists on the Hub. Choose another name, or confirm that you want to update your existing repository.';
    worker.reply({ type: 'result', id: worker.sent.at(-1)!.id, result: { type: 'published', ok: false, reason: 'repo_exists', message } });
    await p;
    expect(store.getState().publishing).toMatchObject({ status: 'error', reason: 'repo_exists', error: message });
    const html = renderToStaticMarkup(
      createElement(StoreContext.Provider, { value: { ...store, getInitialState: store.getState } }, createElement(BridgeContext.Provider, { value: bridge }, createElement(PublishPanel, { modelName: 'model' }))),
    );
    expect(html).toMatch(/Update my existing repository (<!-- -->)?model/);
    expect(html).toContain('already exists on the Hub');
  });

  it('sends nothing without a token', async () => {
    const { worker, store, bridge } = setup();
    store.getState().publishFormChanged({ repo: 'model' });
    const before = worker.sent.length;
    await bridge.publish('model');
    expect(worker.sent.length).toBe(before);
    expect(store.getState().publishing).toMatchObject({ status: 'error', reason: 'token_missing' });
    expect(store.getState().publishing.error).toMatch(/needs a Hugging Face access token/);
  });
});
