import { css } from 'lit';

export const styles = css`
  :host {
    display: inline-flex;
    align-items: baseline;
    gap: 0.4em;
    font: var(--server-clock-font, inherit);
    color: var(--server-clock-color, inherit);
    font-variant-numeric: tabular-nums;
  }
  :host([hidden]) {
    display: none;
  }
  [part='status'] {
    display: inline-block;
    width: var(--server-clock-status-size, 0.5em);
    height: var(--server-clock-status-size, 0.5em);
    border-radius: 50%;
    align-self: center;
    background: var(--server-clock-connecting-color, #b0b0b0);
  }
  :host([state='connected']) [part='status'] {
    background: var(--server-clock-connected-color, #1a7f37);
  }
  :host([state='reconnecting']) [part='status'] {
    background: var(--server-clock-reconnecting-color, #bf8700);
  }
  :host([state='disconnected']) [part='status'] {
    background: var(--server-clock-disconnected-color, #6e7781);
  }
  :host([state='error']) [part='status'] {
    background: var(--server-clock-error-color, #cf222e);
  }
  :host([state='reconnecting']) [part='time'] {
    opacity: var(--server-clock-stale-opacity, 0.6);
  }
  [part='message'] {
    color: var(--server-clock-error-color, #cf222e);
    font-size: 0.85em;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
