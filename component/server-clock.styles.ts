import { css } from 'lit';

/**
 * The element's shadow styles: the layout, the state indicator's colour per state, and the
 * `--server-clock-*` custom properties that theme them (each with its default here).
 */
// Each state sets --_state to its colour; the indicator (and an error message) paints it.
export const styles = css`
  :host {
    display: inline-flex;
    align-items: baseline;
    gap: 0.4em;
    font: var(--server-clock-font, inherit);
    color: var(--server-clock-color, inherit);
    font-variant-numeric: tabular-nums;
    --_state: var(--server-clock-connecting-color, #b0b0b0);
  }
  :host([hidden]) {
    display: none;
  }
  :host([state='connected']) {
    --_state: var(--server-clock-connected-color, #1a7f37);
  }
  :host([state='reconnecting']) {
    --_state: var(--server-clock-reconnecting-color, #bf8700);
  }
  :host([state='disconnected']) {
    --_state: var(--server-clock-disconnected-color, #6e7781);
  }
  :host([state='error']) {
    --_state: var(--server-clock-error-color, #cf222e);
  }
  [part='status'] {
    flex: none;
    width: var(--server-clock-status-size, 0.5em);
    aspect-ratio: 1;
    border-radius: 50%;
    align-self: center;
    background: var(--_state);
  }
  :host([state='reconnecting']) [part='time'] {
    opacity: var(--server-clock-stale-opacity, 0.6);
  }
  [part='message'] {
    color: var(--_state);
    font-size: 0.85em;
  }
`;
