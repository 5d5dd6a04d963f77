/**
 * Issue #16 item 8: the studio's colours meet WCAG AA. Reads the custom properties of src/ui/styles.css and asserts
 * the contrast ratio (WCAG 2.x relative luminance) of each text/background pair (≥ 4.5:1, 1.4.3) and of each
 * control border against what it sits on (≥ 3:1, non-text contrast, 1.4.11); and that the rules that paint them
 * still use those properties (a rule back on a literal colour, or a dimmed card back on opacity, fails here).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../../src/ui/styles.css', import.meta.url), 'utf8');

/** The :root custom properties, resolved (a var() of another property included). */
function rootVars(text: string): Map<string, string> {
  const root = /:root\s*\{([^}]*)\}/.exec(text.replace(/\/\*[\s\S]*?\*\//g, ''));
  if (!root) throw new Error('no :root block in styles.css');
  const vars = new Map<string, string>();
  for (const m of root[1].matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) vars.set(m[1], m[2].trim());
  return vars;
}

const vars = rootVars(css);

function color(name: string, seen: string[] = []): [number, number, number] {
  const value = vars.get(name);
  if (value === undefined) throw new Error(`${name} is not defined in :root`);
  const ref = /^var\((--[\w-]+)\)$/.exec(value);
  if (ref) {
    if (seen.includes(ref[1])) throw new Error(`${name}: circular var()`);
    return color(ref[1], [...seen, name]);
  }
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value);
  if (!hex) throw new Error(`${name}: ${value} is not a hex colour`);
  const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG 2.x relative luminance of an sRGB colour. */
function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: [number, number, number], b: [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The declarations of the first rule whose selector list is exactly `selector`. */
function rule(selector: string): string {
  const esc = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(?:^|\\})\\s*${esc}\\s*\\{([^}]*)\\}`, 'm').exec(css);
  if (!m) throw new Error(`no rule ${selector} in styles.css`);
  return m[1];
}

describe('WCAG AA contrast of the studio palette', () => {
  it('the sRGB luminance formula: white on black is 21:1, a colour on itself 1:1', () => {
    expect(contrast([255, 255, 255], [0, 0, 0])).toBeCloseTo(21, 10);
    expect(contrast([107, 114, 128], [107, 114, 128])).toBe(1);
    // The old palette's measured failures (issue #16 item 8): green Δ 3.77:1, input border 1.47:1.
    expect(contrast([0x05, 0x96, 0x69], [255, 255, 255])).toBeCloseTo(3.77, 2);
    expect(contrast([0xd1, 0xd5, 0xdb], [255, 255, 255])).toBeCloseTo(1.47, 2);
  });

  const text: [fg: string, bg: string, where: string][] = [
    ['--ink', '--card', 'body text on a card'],
    ['--ink', '--card-dim', 'a dimmed (not yet open) card'],
    ['--muted', '--card', 'hints and muted notes on a card'],
    ['--muted', '--bg', 'the masthead line on the page'],
    ['--muted', '--card-dim', 'hints on a dimmed card'],
    ['--label', '--card', 'field labels'],
    ['--label', '--card-dim', 'field labels and the backend pill on a dimmed card'],
    ['--ok', '--card', 'a positive Δ in the metrics table'],
    ['--ok', '--row-primary', 'a positive Δ on the primary metric’s row'],
    ['--bad', '--card', 'a negative Δ, the Stop button'],
    ['--bad', '--row-primary', 'a negative Δ on the primary metric’s row'],
    ['--accent', '--card', 'links, scores, secondary buttons'],
    ['--accent-ink', '--accent', 'primary buttons'],
    ['--badge-dim-ink', '--badge-dim-bg', 'a dimmed card’s step number'],
  ];
  it.each(text)('text %s on %s ≥ 4.5:1 (%s)', (fg, bg) => {
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(4.5);
  });

  const borders: [line: string, bg: string, where: string][] = [
    ['--field-line', '--card', 'input and select borders on a card'],
    ['--field-line', '--bg', 'input borders on the page background'],
    ['--bad', '--card', 'an invalid input’s border'],
    ['--dropzone-line', '--card', 'the dataset drop zone’s border'],
    ['--accent', '--card', 'focus outlines, the progress bar'],
  ];
  it.each(borders)('border %s on %s ≥ 3:1 (%s)', (line, bg) => {
    expect(contrast(color(line), color(bg))).toBeGreaterThanOrEqual(3);
  });

  it('the rules paint with those properties', () => {
    expect(rule('.muted')).toMatch(/color:\s*var\(--muted\)/);
    expect(rule('.hint')).toMatch(/color:\s*var\(--muted\)/);
    expect(rule('.pos')).toMatch(/color:\s*var\(--ok\)/);
    expect(rule('.neg')).toMatch(/color:\s*var\(--bad\)/);
    expect(rule('tr.primary td')).toMatch(/background:\s*var\(--row-primary\)/);
    expect(rule(".field label, .label-text")).toMatch(/color:\s*var\(--label\)/);
    expect(rule("input[type='text'], input[type='number'], select")).toMatch(/border:\s*1px solid var\(--field-line\)/);
    expect(rule("input[type='password']")).toMatch(/border:\s*1px solid var\(--field-line\)/);
    expect(rule("input[aria-invalid='true']")).toMatch(/border-color:\s*var\(--bad\)/);
    expect(rule('.dropzone')).toMatch(/border:\s*2px dashed var\(--dropzone-line\)/);
    expect(rule('.card-disabled')).toMatch(/background:\s*var\(--card-dim\)/);
    expect(rule('.card-disabled .card-header h2')).toMatch(/color:\s*var\(--muted\)/);
  });

  it('a dimmed card is not faded with opacity (opacity blends its text into the page: hints fell to 2.15:1)', () => {
    expect(css).not.toMatch(/\.card-disabled[^{]*\{[^}]*opacity/);
  });
});
