import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, CSP_DIRECTIVES } from '../../src/security/csp';
import { hubFileUrl } from '../../src/worker/hub';

function directive(policy: string, name: string): string[] {
  const entry = policy.split('; ').find((d) => d.startsWith(`${name} `));
  return entry ? entry.split(' ').slice(1) : [];
}

/** Does a CSP host source (scheme://host or scheme://*.host) allow this URL's origin? */
function allows(sources: string[], url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return sources.some((s) => {
    const m = /^(https?):\/\/(\*\.)?(.+)$/.exec(s);
    if (!m || `${m[1]}:` !== protocol) return false;
    return m[2] ? hostname.endsWith(`.${m[3]}`) : hostname === m[3];
  });
}

describe('content security policy', () => {
  const policy = contentSecurityPolicy();

  it('allows no inline script and no eval, only WebAssembly compilation', () => {
    expect(directive(policy, 'script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(policy).not.toMatch(/'unsafe-eval'/);
    expect(directive(policy, 'object-src')).toEqual(["'none'"]);
  });

  it('lets the page reach the Hub and its download CDNs, and nothing else', () => {
    const connect = directive(policy, 'connect-src');
    expect(allows(connect, hubFileUrl('BAAI/bge-small-en-v1.5', 'model.safetensors'))).toBe(true);
    expect(allows(connect, 'https://cdn-lfs.huggingface.co/repos/x/y')).toBe(true);
    expect(allows(connect, 'https://cas-bridge.xethub.hf.co/xet-bridge-us/abc')).toBe(true);
    expect(allows(connect, 'https://example.com/model.safetensors')).toBe(false);
    expect(allows(connect, 'https://huggingface.co.evil.com/x')).toBe(false);
    expect(allows(connect, 'http://huggingface.co/x')).toBe(false);
  });

  it('lets a publish upload LFS objects to the S3 bucket of the Hub only, not any S3 host', () => {
    const connect = directive(policy, 'connect-src');
    expect(allows(connect, 'https://hf-hub-lfs-us-east-1.s3-accelerate.amazonaws.com/repos/ab/cd/x?X-Amz-Signature=1')).toBe(true);
    expect(allows(connect, 'https://s3.amazonaws.com/lfs.huggingface.co/org/model/abc')).toBe(true);
    expect(allows(connect, 'https://huggingface.co/api/complete_multipart?uploadId=1')).toBe(true);
    expect(allows(connect, 'https://evil-bucket.s3.amazonaws.com/x')).toBe(false);
    expect(allows(connect, 'https://s3.us-west-2.amazonaws.com/x')).toBe(false);
  });

  it('has one entry per directive', () => {
    expect(policy.split('; ')).toHaveLength(Object.keys(CSP_DIRECTIVES).length);
  });
});
