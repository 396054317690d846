import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { MeshKeeperClient } from '../client/client.js';
import { defineElement } from './define-element.js';
import { WatchLogController } from './watch-log-controller.js';
import { baseStyles } from './theme.js';

const time = (ms: number): string => {
  const date = new Date(ms);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
};

/**
 * `<mk-watch-log>`: the events this client's default watcher received (session events, and the
 * watches set with `watch: true` or from `<mk-tree>`), newest first.
 *
 * Properties: `client` — a MeshKeeperClient. The newest 200 events are kept.
 * Parts: panel, header, title, clear, table, row, empty. Rows carry `data-type` and `data-path`.
 */
export class MkWatchLog extends LitElement {
  static override styles = [
    baseStyles,
    css`
      header {
        display: flex;
        gap: var(--_gap);
        align-items: baseline;
        margin-bottom: var(--_gap);
      }
      .title {
        font-weight: 600;
        flex: 1;
      }
      .scroll {
        max-height: var(--mk-watch-log-height, 260px);
        overflow: auto;
      }
      td.type {
        color: var(--_accent);
      }
      td.path {
        white-space: normal;
        word-break: break-all;
      }
    `,
  ];

  @property({ attribute: false }) client: MeshKeeperClient | undefined;

  private readonly log = new WatchLogController(this, () => this.client);

  protected override render(): TemplateResult {
    const entries = this.log.entries;
    return html`<section class="panel" part="panel">
      <header part="header">
        <span class="title" part="title">Watch events</span>
        <span class="muted">${entries.length}${this.log.dropped > 0 ? ` (+${this.log.dropped} older dropped)` : ''}</span>
        <button part="clear" @click=${() => this.log.clear()} ?disabled=${entries.length === 0}>Clear</button>
      </header>
      ${entries.length === 0
        ? html`<p class="muted" part="empty">No events yet. Set a watch from the tree.</p>`
        : html`<div class="scroll">
            <table part="table">
              <thead>
                <tr><th>time</th><th>event</th><th>path</th><th>zxid</th><th>state</th></tr>
              </thead>
              <tbody>
                ${entries.map(
                  (entry) => html`<tr part="row" data-type=${entry.type} data-path=${entry.path}>
                    <td class="mono muted">${time(entry.atMs)}</td>
                    <td class="type">${entry.type}</td>
                    <td class="mono path">${entry.path === '' ? nothing : entry.path}</td>
                    <td class="mono muted">${entry.zxid === '-1' ? '–' : `0x${entry.zxid}`}</td>
                    <td class="muted">${entry.state}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`}
    </section>`;
  }
}

defineElement('mk-watch-log', MkWatchLog);

declare global {
  interface HTMLElementTagNameMap {
    'mk-watch-log': MkWatchLog;
  }
}
