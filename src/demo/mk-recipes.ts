import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { MeshKeeperClient } from '../client/client.js';
import { defineElement } from '../ui/define-element.js';
import { shortId } from '../ui/ensemble-view.js';
import { baseStyles } from '../ui/theme.js';
import { DEMO_PATHS } from './demo-paths.js';
import { BarrierPanel } from './playground/barrier-panel.js';
import { CounterPanel } from './playground/counter-panel.js';
import { ElectionPanel } from './playground/election-panel.js';
import { LockPanel } from './playground/lock-panel.js';
import { PresencePanel } from './playground/presence-panel.js';
import type { QueueEntry } from './playground/queue-view.js';

/**
 * `<mk-recipes>`: the recipe playground — a lock with the queue of waiting tabs, a leader election,
 * a barrier, a shared counter and group presence, each on this tab's client.
 * Properties: `client`, `tabName` (this tab's replica id: its name in every recipe).
 */
export class MkRecipes extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .cards {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
        gap: var(--_gap);
      }
      .card {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 6px 8px;
      }
      h3 {
        margin: 0 0 4px;
        font-size: 0.95em;
        display: flex;
        justify-content: space-between;
        gap: 6px;
      }
      ol,
      ul {
        margin: 4px 0;
        padding-left: 1.4em;
        font-family: var(--_mono);
        font-size: 0.85em;
      }
      li.mine {
        font-weight: 700;
      }
      .buttons {
        display: flex;
        gap: 4px;
        flex-wrap: wrap;
        margin-top: 4px;
      }
      .value {
        font-size: 1.8em;
        font-family: var(--_mono);
      }
      .error {
        color: var(--_danger);
        font-size: 0.8em;
        word-break: break-word;
      }
      .title {
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) client: MeshKeeperClient | undefined;
  /** This tab's name in the recipes (its replica id). */
  @property({ attribute: false }) tabName = '';

  private readonly lock = new LockPanel(this, () => this.ready(), DEMO_PATHS.lock, () => this.tabName);
  private readonly election = new ElectionPanel(this, () => this.ready(), DEMO_PATHS.leader, () => this.tabName);
  private readonly barrier = new BarrierPanel(this, () => this.ready(), DEMO_PATHS.barrier, DEMO_PATHS.barrierWaiting, () => this.tabName);
  private readonly counter = new CounterPanel(this, () => this.ready(), DEMO_PATHS.counter);
  private readonly presence = new PresencePanel(this, () => this.ready(), DEMO_PATHS.online, () => this.tabName);

  /** The client, once the tab's name is known too (every recipe is named after the tab). */
  private ready(): MeshKeeperClient | undefined {
    return this.tabName === '' ? undefined : this.client;
  }

  protected override render(): TemplateResult {
    return html`<section class="panel" part="panel">
      <div class="title" part="title">Recipes</div>
      <p class="muted">Open more tabs: each one is a contender. Close a tab and its nodes go with it.</p>
      <div class="cards">${this.lockCard()} ${this.electionCard()} ${this.counterCard()} ${this.barrierCard()} ${this.presenceCard()}</div>
    </section>`;
  }

  private queue(entries: readonly QueueEntry[], id: string, firstLabel: string): TemplateResult {
    if (entries.length === 0) return html`<p class="muted" id=${id}>nobody</p>`;
    return html`<ol id=${id}>
      ${entries.map(
        (entry) => html`<li class=${entry.mine ? 'mine' : ''} data-owner=${entry.owner} data-first=${String(entry.first)} title=${entry.nodePath}>
          ${shortId(entry.owner)}${entry.mine ? ' (this tab)' : ''}${entry.first ? html` — <span class="ok">${firstLabel}</span>` : html` — <span class="muted">waiting</span>`}
        </li>`,
      )}
    </ol>`;
  }

  private errorOf(error: string | null): TemplateResult | typeof nothing {
    return error === null ? nothing : html`<div class="error">${error}</div>`;
  }

  private lockCard(): TemplateResult {
    const lock = this.lock;
    const holding = lock.state === 'held' || lock.state === 'uncertain';
    return html`<div class="card" id="lock-card" part="card">
      <h3>Lock <span id="lock-state" data-state=${lock.state} class=${lock.state === 'held' ? 'ok' : lock.state === 'lost' ? 'danger' : 'muted'}>${lock.state}</span></h3>
      ${this.queue(lock.queue, 'lock-queue', 'holds it')}
      <div class="buttons">
        <button id="lock-acquire" ?disabled=${holding || lock.state === 'acquiring'} @click=${() => void lock.acquire()}>Take the lock</button>
        <button id="lock-release" ?disabled=${!holding && lock.state !== 'lost'} @click=${() => void lock.release()}>Release</button>
      </div>
      ${this.errorOf(lock.error)}
    </div>`;
  }

  private electionCard(): TemplateResult {
    const election = this.election;
    return html`<div class="card" id="election-card" part="card">
      <h3>Leader election <span id="election-state" class=${election.leading ? 'ok' : 'muted'}>${election.leading ? 'this tab leads' : election.joined ? 'follower' : 'not running'}</span></h3>
      ${this.queue(election.participants, 'election-participants', 'leader')}
      <div class="buttons">
        ${election.joined
          ? html`<button @click=${() => void election.leave()} ?disabled=${election.busy}>Step out</button>`
          : html`<button @click=${() => void election.join()} ?disabled=${election.busy}>Run for leader</button>`}
      </div>
      ${this.errorOf(election.error)}
    </div>`;
  }

  private counterCard(): TemplateResult {
    const counter = this.counter;
    return html`<div class="card" id="counter-card" part="card">
      <h3>Shared counter ${counter.inFlight > 0 ? html`<span class="muted">${counter.inFlight} in flight</span>` : nothing}</h3>
      <div class="value" id="counter-value">${counter.value ?? '…'}</div>
      <div class="buttons">
        <button id="counter-increment" @click=${() => void counter.increment(1)}>+1</button>
        <button @click=${() => void counter.increment(10)} title="ten concurrent compare-and-set increments: all of them count">+10 at once</button>
        <button @click=${() => void counter.reset()} ?disabled=${counter.busy}>Reset</button>
      </div>
      ${this.errorOf(counter.error)}
    </div>`;
  }

  private barrierCard(): TemplateResult {
    const barrier = this.barrier;
    return html`<div class="card" id="barrier-card" part="card">
      <h3>Barrier <span id="barrier-state" class=${barrier.isSet ? 'warn' : 'ok'}>${barrier.isSet ? 'set' : 'open'}</span></h3>
      ${barrier.waiters.length === 0
        ? html`<p class="muted">nobody waiting${barrier.passedAtMs > 0 ? html` · this tab passed at ${new Date(barrier.passedAtMs).toLocaleTimeString()}` : nothing}</p>`
        : html`<ul id="barrier-waiters">
            ${barrier.waiters.map((name) => html`<li class=${name === this.tabName ? 'mine' : ''}>${shortId(name)} — waiting</li>`)}
          </ul>`}
      <div class="buttons">
        <button @click=${() => void barrier.set()} ?disabled=${barrier.isSet || barrier.busy}>Set</button>
        <button @click=${() => void barrier.wait()} ?disabled=${barrier.waiting}>${barrier.waiting ? 'Waiting…' : 'Wait at it'}</button>
        <button @click=${() => void barrier.remove()} ?disabled=${!barrier.isSet || barrier.busy}>Remove (let all through)</button>
      </div>
      ${this.errorOf(barrier.error)}
    </div>`;
  }

  private presenceCard(): TemplateResult {
    const presence = this.presence;
    return html`<div class="card" id="presence-card" part="card">
      <h3>Group presence <span class="muted">${presence.members.length} online</span></h3>
      <ul id="presence-members">
        ${presence.members.map((member) => html`<li class=${member.mine ? 'mine' : ''} data-member=${member.id}>${shortId(member.id)}${member.mine ? ' (this tab)' : ''}</li>`)}
      </ul>
      ${this.errorOf(presence.error)}
    </div>`;
  }
}

defineElement('mk-recipes', MkRecipes);

declare global {
  interface HTMLElementTagNameMap {
    'mk-recipes': MkRecipes;
  }
}
