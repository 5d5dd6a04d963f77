/**
 * How the e2e tests and the benchmark launch Chromium: Debian's build (installed by scripts/ensure-chromium.sh;
 * Playwright never downloads a browser here) with WebGPU on the SwiftShader software adapter, and no background
 * network traffic. Playwright gives every launch a fresh temporary profile (user-data dir).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
