import { describe, expect, it } from 'vitest';
import { keepToken, readRememberedToken, TOKEN_KEY, type TabStorage } from '../../src/ui/tokenStorage';

class FakeStorage implements TabStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

describe('Hub token in the tab', () => {
  it('is kept in sessionStorage only while "remember" is on, and removed when it is turned off', () => {
    const tab = new FakeStorage();
    keepToken(tab, 'hf_abc', false);
    expect(tab.items.size).toBe(0);
    keepToken(tab, ' hf_abc ', true);
    expect(tab.items.get(TOKEN_KEY)).toBe('hf_abc');
    expect(readRememberedToken(tab)).toBe('hf_abc');
    keepToken(tab, 'hf_abc', false);
    expect(tab.items.size).toBe(0);
    expect(readRememberedToken(tab)).toBeNull();
  });

  it('clears a remembered token when the field is emptied, and survives a storage that throws', () => {
    const tab = new FakeStorage();
    keepToken(tab, 'hf_abc', true);
    keepToken(tab, '', true);
    expect(tab.items.size).toBe(0);
    const broken: TabStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {},
    };
    expect(() => keepToken(broken, 'hf_abc', true)).not.toThrow();
    expect(readRememberedToken(broken)).toBeNull();
  });
});
