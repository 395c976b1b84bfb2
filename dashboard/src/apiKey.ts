/**
 * The API key the page sends as `x-api-key`. It arrives in the URL fragment (`#key=…`, which
 * never reaches a server or its logs), is kept in sessionStorage for reloads in this tab, and is
 * taken out of the address bar at once so it is not shared with a copied link. Never logged.
 */

const STORAGE_KEY = 'eddy.dashboard.apiKey';

/** Where the key is kept: sessionStorage, or memory where storage is unavailable. */
export interface ApiKeyStore {
  /** The current key, or null when none was given. */
  get(): string | null;
  /** Keeps a key for this tab's session. */
  set(key: string): void;
  /** Forgets the key, after the API refused it. */
  clear(): void;
}

function sessionStore(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    // Storage can be blocked (privacy settings, sandboxed frames): fall back to memory.
    return undefined;
  }
}

/**
 * The `key` parameter of a fragment, percent-decoded. Not `URLSearchParams`: it would turn a `+`
 * of a base64 key into a space.
 */
function keyOfFragment(hash: string): string | undefined {
  const raw = /(?:^#?|&)key=([^&]*)/.exec(hash)?.[1];
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Reads `#key=…` from the fragment into the store and removes the fragment from the address bar
 * (with `history.replaceState`, so no navigation and no history entry).
 * @param store - where the key is kept
 */
export function takeKeyFromFragment(store: ApiKeyStore): void {
  const key = keyOfFragment(window.location.hash)?.trim();
  if (key === undefined) return;
  if (key !== '') store.set(key);
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', `${pathname}${search}`);
}

/** Creates the key store, backed by sessionStorage when it is available. */
export function createApiKeyStore(): ApiKeyStore {
  const storage = sessionStore();
  let memory: string | null = null;
  const attempt = (action: (s: Storage) => void): void => {
    try {
      if (storage !== undefined) action(storage);
    } catch {
      // A full or blocked storage still leaves the key in memory for this page.
    }
  };
  return {
    get: () => {
      if (memory !== null) return memory;
      try {
        memory = storage?.getItem(STORAGE_KEY) ?? null;
      } catch {
        memory = null;
      }
      return memory;
    },
    set: (key) => {
      memory = key;
      attempt((s) => s.setItem(STORAGE_KEY, key));
    },
    clear: () => {
      memory = null;
      attempt((s) => s.removeItem(STORAGE_KEY));
    },
  };
}
