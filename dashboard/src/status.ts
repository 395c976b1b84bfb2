import { formatClock } from './format.js';

/** The header's status line and the API key form. */
export interface StatusView {
  /** Data arrived: `live · updated HH:MM:SS`, class `ok`. */
  live(at: Date): void;
  /** A request failed; polling goes on. Class `error`. */
  error(message: string): void;
  /** No key, or the API refused it: a message, class `error`, and the key form. */
  needKey(reason: 'missing' | 'refused', status?: number): void;
}

const KEY_MESSAGES = {
  missing: () => 'API key missing — enter it below',
  refused: (status?: number) => `API key refused${status === undefined ? '' : ` (${status})`} — enter a valid key`,
} as const;

/**
 * Binds the status line (`#status`) and the key form (`#api-key-form`, `#api-key`,
 * `#api-key-save`).
 * @param status - `#status`
 * @param form - the form holding `#api-key` and `#api-key-save`
 * @param input - `#api-key`
 * @param onKey - called with a non-empty key when the form is submitted
 */
export function createStatusView(status: HTMLElement, form: HTMLFormElement, input: HTMLInputElement, onKey: (key: string) => void): StatusView {
  const show = (text: string, kind: 'ok' | 'error' | 'pending'): void => {
    status.textContent = text;
    status.className = kind;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key === '') {
      show(KEY_MESSAGES.missing(), 'error');
      input.focus();
      return;
    }
    input.value = '';
    form.hidden = true;
    show('connecting…', 'pending');
    onKey(key);
  });
  return {
    live: (at) => show(`live · updated ${formatClock(at)}`, 'ok'),
    error: (message) => show(message, 'error'),
    needKey: (reason, code) => {
      show(KEY_MESSAGES[reason](code), 'error');
      form.hidden = false;
      input.focus();
    },
  };
}
