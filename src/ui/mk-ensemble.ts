import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { defineElement } from './define-element.js';
import { EnsembleController } from './ensemble-controller.js';
import { shortId, type EnsembleSource, type ReplicaView } from './ensemble-view.js';
import { baseStyles } from './theme.js';

/**
 * `<mk-ensemble>`: the ensemble as this tab's replica sees it — every replica with its device,
 * role, term, last zxid, lag, link and liveness, refreshed twice a second.
 *
 * Properties: `mesh` — a BrowserMesh (`meshOf(room)`), or anything with `status()`.
 * Parts: panel, header, title, summary, error, table, row, self, leader, frozen, live, dead, role.
 * Rows carry `data-replica` and `data-role`; the host carries `data-leader`, `data-term`, `data-role`
 * (this tab's) and `data-frozen`.
 */
export class MkEnsemble extends LitElement {
  static override styles = [
    baseStyles,
    css`
      header {
        display: flex;
        flex-wrap: wrap;
        gap: var(--_gap);
        align-items: baseline;
        margin-bottom: var(--_gap);
      }
      .title {
        font-weight: 600;
      }
      tr.self td:first-child::after {
        content: ' (this tab)';
        color: var(--_muted);
      }
      .role-leader {
        color: var(--_accent);
        font-weight: 600;
      }
      .dot {
        display: inline-block;
        width: 9px;
        height: 9px;
        border-radius: 50%;
        background: var(--_danger);
      }
      .dot.live {
        background: var(--_ok);
      }
      .frozen {
        color: var(--_warn);
      }
      .scroll {
        overflow-x: auto;
      }
    `,
  ];

  /** This tab's mesh (BrowserMesh) or another source of MeshStatus. */
  @property({ attribute: false }) mesh: EnsembleSource | undefined;

  private readonly ensemble = new EnsembleController(this, () => this.mesh);

  protected override updated(): void {
    const view = this.ensemble.view;
    this.dataset['leader'] = view?.leader ?? '';
    this.dataset['term'] = view === null ? '' : String(view.term);
    this.dataset['role'] = view?.replicas.find((row) => row.self)?.role ?? '';
    this.dataset['frozen'] = String(view?.frozen ?? false);
  }

  protected override render(): TemplateResult {
    const view = this.ensemble.view;
    const error = this.ensemble.error;
    if (view === null) {
      return html`<section class="panel" part="panel">
        <header part="header"><span class="title" part="title">Ensemble</span></header>
        <p class="muted">${error ?? (this.mesh === undefined ? 'no mesh' : 'reading the replica’s status…')}</p>
      </section>`;
    }
    return html`<section class="panel" part="panel">
      <header part="header">
        <span class="title" part="title">Ensemble</span>
        <span class="muted" part="summary">
          term <b class="mono">${view.term}</b> · leader <b class="mono" title=${view.leader ?? ''}>${view.leader === null ? 'none' : shortId(view.leader)}</b> · ${view.voters.length} voters,
          ${view.learners.length} observers · last zxid <span class="mono">0x${view.lastZxid}</span> · commit ${view.commitIndex} · ${view.nodeCount}
          znodes · ${view.sessionCount} sessions${view.signaling === null ? nothing : html` · signaling ${view.signaling}`}
        </span>
        ${view.frozen ? html`<span class="badge frozen" part="frozen">frozen</span>` : nothing}
        ${view.phase === 'waiting' ? html`<span class="badge warn">waiting to join</span>` : nothing}
      </header>
      ${error === null ? nothing : html`<p class="danger" part="error">${error}</p>`}
      <div class="scroll">
        <table part="table">
          <thead>
            <tr>
              <th>replica</th>
              <th>device</th>
              <th>role</th>
              <th>term</th>
              <th>last zxid</th>
              <th title="log entries behind the leader: known on the leader's tab">lag</th>
              <th>link</th>
              <th>live</th>
            </tr>
          </thead>
          <tbody>
            ${view.replicas.map((row) => this.row(row, view.term))}
          </tbody>
        </table>
      </div>
    </section>`;
  }

  private row(row: ReplicaView, term: number): TemplateResult {
    const parts = ['row', row.self ? 'self' : '', row.role === 'leader' ? 'leader' : '', row.frozen ? 'frozen' : ''].filter((part) => part !== '').join(' ');
    return html`<tr part=${parts} class=${row.self ? 'self' : ''} data-replica=${row.id} data-role=${row.role}>
      <td class="mono" title=${row.id}>${shortId(row.id)}</td>
      <td class="mono muted" title=${row.deviceId}>${shortId(row.deviceId)}</td>
      <td><span class="role-${row.role}" part="role">${row.role}</span>${row.membership === 'none' ? nothing : html` <span class="muted">${row.membership}</span>`}</td>
      <td class="mono ${row.term !== null && row.term < term ? 'warn' : ''}" title=${row.term !== null && row.term < term ? 'behind the current term' : ''}>${row.term ?? '–'}</td>
      <td class="mono">${row.lastZxid === null ? '–' : `0x${row.lastZxid}`}</td>
      <td class="mono" title=${row.lag === null ? "known on the leader's tab" : 'log entries behind the leader'}>${row.lag ?? '–'}</td>
      <td class="muted">${row.self ? 'self' : (row.link ?? '–')}</td>
      <td>
        <span class="dot ${row.live ? 'live' : ''}" part=${row.live ? 'live' : 'dead'} title=${row.live ? 'live' : 'not live'}></span>
        ${row.frozen ? html`<span class="frozen">frozen</span>` : nothing}
      </td>
    </tr>`;
  }
}

defineElement('mk-ensemble', MkEnsemble);

declare global {
  interface HTMLElementTagNameMap {
    'mk-ensemble': MkEnsemble;
  }
}
