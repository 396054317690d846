import { css } from 'lit';

/**
 * The components' look, themable from outside: custom properties (below, with their defaults) set
 * on the element or any ancestor, and CSS parts (`mk-tree::part(row)`) each element lists in its doc.
 *
 *   --mk-font, --mk-mono        text and code fonts
 *   --mk-fg, --mk-muted, --mk-bg, --mk-panel-bg, --mk-border
 *   --mk-accent                 links, selection, the leader
 *   --mk-ok, --mk-warn, --mk-danger
 *   --mk-radius, --mk-gap
 */
export const baseStyles = css`
  :host {
    display: block;
    font-family: var(--mk-font, system-ui, -apple-system, 'Segoe UI', sans-serif);
    font-size: var(--mk-font-size, 14px);
    color: var(--mk-fg, #1d2330);
    --_muted: var(--mk-muted, #687083);
    --_border: var(--mk-border, #d9dde5);
    --_accent: var(--mk-accent, #3d5afe);
    --_ok: var(--mk-ok, #1b8a4b);
    --_warn: var(--mk-warn, #b26a00);
    --_danger: var(--mk-danger, #c62828);
    --_radius: var(--mk-radius, 6px);
    --_gap: var(--mk-gap, 8px);
    --_mono: var(--mk-mono, ui-monospace, 'SF Mono', Menlo, Consolas, monospace);
  }
  :host([hidden]) {
    display: none;
  }
  .panel {
    background: var(--mk-panel-bg, #fff);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_gap);
  }
  .muted {
    color: var(--_muted);
  }
  .mono {
    font-family: var(--_mono);
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    padding: 3px 6px;
    border-bottom: 1px solid var(--_border);
    white-space: nowrap;
  }
  th {
    font-weight: 600;
    color: var(--_muted);
    font-size: 0.85em;
  }
  button {
    font: inherit;
    font-size: 0.9em;
    padding: 3px 10px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--mk-button-bg, #f4f6fa);
    color: inherit;
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    border-color: var(--_accent);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select,
  textarea {
    font: inherit;
    font-size: 0.9em;
    padding: 3px 6px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--mk-input-bg, #fff);
    color: inherit;
  }
  .badge {
    display: inline-block;
    padding: 0 6px;
    border-radius: 999px;
    font-size: 0.8em;
    border: 1px solid currentColor;
  }
  .ok {
    color: var(--_ok);
  }
  .warn {
    color: var(--_warn);
  }
  .danger {
    color: var(--_danger);
  }
`;
