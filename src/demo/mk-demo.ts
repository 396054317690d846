import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import '../ui/mk-ensemble.js';
import '../ui/mk-tree.js';
import '../ui/mk-watch-log.js';
import { ClientController } from '../ui/client-controller.js';
import { defineElement } from '../ui/define-element.js';
import { shortId } from '../ui/ensemble-view.js';
import { baseStyles } from '../ui/theme.js';
import { demoConfig, type DemoConfig } from './demo-config.js';
import { DEMO_PATHS } from './demo-paths.js';
import { DemoSession } from './demo-session.js';
import { LatencyProbe } from './latency-probe.js';
import './mk-latency-chart.js';
import './mk-recipes.js';

function builtSignalingUrl(): string {
  return typeof __MESHKEEPER_SIGNALING_URL__ === 'string' ? __MESHKEEPER_SIGNALING_URL__ : '';
}

/**
 * `<mk-demo>`: the demo page. Joins the room from this tab, then shows the ensemble live, the znode
 * tree editor, the recipe playground, write latency, the watch log, and the buttons that freeze or
 * close this tab's replica.
 */
export class MkDemo extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        max-width: 1280px;
        margin: 0 auto;
        padding: 12px;
      }
      header.top {
        display: flex;
        flex-wrap: wrap;
        gap: 10px 16px;
        align-items: center;
        margin-bottom: 12px;
      }
      h1 {
        font-size: 1.3em;
        margin: 0;
      }
      .grow {
        flex: 1;
      }
      .controls {
        display: flex;
        gap: 6px;
        flex-wrap: wrap;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(2, minmax(0, 1fr));
        gap: 12px;
      }
      .wide {
        grid-column: 1 / -1;
      }
      .stack {
        display: flex;
        flex-direction: column;
        gap: 12px;
        min-width: 0;
      }
      .state-CONNECTED {
        color: var(--_ok);
      }
      .state-DISCONNECTED,
      .state-CONNECTING {
        color: var(--_warn);
      }
      .state-EXPIRED,
      .state-CLOSED,
      .state-AUTH_FAILED {
        color: var(--_danger);
      }
      .notice {
        padding: 12px;
      }
      @media (max-width: 900px) {
        .grid {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  private readonly config: DemoConfig = demoConfig(location.search, location, builtSignalingUrl());
  private readonly session = new DemoSession(this, this.config);
  private readonly clientState = new ClientController(this, () => this.session.client);
  private readonly probe = new LatencyProbe(this, () => this.session.client, { path: () => `${DEMO_PATHS.latency}/${this.session.replicaId}` });

  protected override render(): TemplateResult {
    const session = this.session;
    const state = this.clientState.session.state;
    return html`<header class="top">
        <h1>meshkeeper</h1>
        <span class="muted">room <b class="mono">${this.config.room}</b></span>
        <span class="muted" id="this-tab">this tab: <b class="mono" data-replica=${session.replicaId} title=${session.replicaId}>${session.replicaId === '' ? '…' : shortId(session.replicaId)}</b></span>
        <span class="state-${state}" id="client-state" data-state=${state}>${session.phase === 'connected' ? state : session.phase}</span>
        ${session.frozenUntilMs > 0 ? html`<span class="badge warn" id="frozen">replica frozen</span>` : nothing}
        <span class="grow"></span>
        <div class="controls">
          <button id="freeze" ?disabled=${session.phase !== 'connected' || session.frozenUntilMs > 0} @click=${() => session.freeze(8)} title="stop this tab's replica for 8 s, as a browser freezes a hidden tab">
            Freeze replica 8 s
          </button>
          <button id="close-replica" class="danger" ?disabled=${session.phase !== 'connected'} @click=${() => void session.closeReplica()} title="end this tab's session and take its replica out of the ensemble">
            Close replica
          </button>
        </div>
      </header>
      ${this.body()}`;
  }

  private body(): TemplateResult {
    const session = this.session;
    switch (session.phase) {
      case 'connecting':
        return html`<p class="panel notice" id="connecting">
          Joining room <b>${this.config.room}</b> through <span class="mono">${this.config.signaling}</span>… (open this page in more tabs, or
          another browser, to grow the ensemble)
        </p>`;
      case 'failed':
        return html`<p class="panel notice danger" id="failed">Could not join: ${session.error}. Is the signaling server running (<code>npm run demo</code>)?</p>`;
      case 'left':
        return html`<p class="panel notice" id="left">This tab's replica left the ensemble. <button @click=${() => location.reload()}>Reload to rejoin</button></p>`;
      case 'connected':
        return html`${session.clientError === null ? nothing : html`<p class="danger">${session.clientError}</p>`}
          <div class="grid">
            <mk-ensemble id="ensemble" class="wide" .mesh=${session.mesh}></mk-ensemble>
            <mk-recipes id="recipes" class="wide" .client=${session.client} .tabName=${session.replicaId}></mk-recipes>
            <mk-tree id="tree" .client=${session.client}></mk-tree>
            <div class="stack">
              <mk-latency-chart id="latency" .samples=${this.probe.samples}></mk-latency-chart>
              <mk-watch-log id="watch-log" .client=${session.client}></mk-watch-log>
            </div>
          </div>`;
    }
  }
}

defineElement('mk-demo', MkDemo);

declare global {
  interface HTMLElementTagNameMap {
    'mk-demo': MkDemo;
  }
}
