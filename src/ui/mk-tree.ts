import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { property, query } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import type { MeshKeeperClient } from '../client/client.js';
import type { CreateModeName } from '../tree/create-mode.js';
import type { Stat } from '../tree/stat.js';
import { defineElement } from './define-element.js';
import { TreeController, type SelectedZnode, type TreeWatchKind } from './tree-controller.js';
import type { TreeRow } from './tree-rows.js';
import { baseStyles } from './theme.js';
import { childPath, dataAsHex, hex } from './znode-text.js';

const CREATE_MODES: readonly CreateModeName[] = ['PERSISTENT', 'EPHEMERAL', 'PERSISTENT_SEQUENTIAL', 'EPHEMERAL_SEQUENTIAL', 'CONTAINER'];
const WATCH_KINDS: readonly { kind: TreeWatchKind; label: string }[] = [
  { kind: 'data', label: 'data' },
  { kind: 'exists', label: 'exists' },
  { kind: 'children', label: 'children' },
  { kind: 'persistent', label: 'persistent' },
  { kind: 'persistent-recursive', label: 'recursive' },
];

const time = (ms: number): string => (ms === 0 ? '–' : new Date(ms).toLocaleString());

/**
 * `<mk-tree>`: browse the znode tree, see a znode's data and Stat, create, edit and delete with
 * versions, and set watches (their events go to the client's default watcher: `<mk-watch-log>`).
 *
 * Properties: `client` — a MeshKeeperClient.
 * Parts: panel, header, title, tree, row, selected-row, toggle, name, details, path, data, stat,
 * editor, data-input, version-input, save, delete, stale, watches, watch, create, create-name,
 * create-data, create-mode, create-button, outcome.
 * Rows carry `data-path`.
 */
export class MkTree extends LitElement {
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
      .columns {
        display: grid;
        grid-template-columns: minmax(180px, 1fr) minmax(260px, 1.6fr);
        gap: var(--_gap);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        max-height: var(--mk-tree-height, 420px);
        overflow: auto;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
      }
      li {
        display: flex;
        align-items: center;
        gap: 4px;
        padding: 1px 4px;
        white-space: nowrap;
      }
      li.selected {
        background: var(--mk-selected-bg, #e8ecff);
      }
      li button {
        border: none;
        background: none;
        padding: 0 2px;
      }
      .toggle {
        width: 1.4em;
        color: var(--_muted);
      }
      .name {
        font-family: var(--_mono);
      }
      .details h3 {
        margin: 0 0 6px;
        font-family: var(--_mono);
        font-size: 1em;
        word-break: break-all;
      }
      pre {
        margin: 0 0 var(--_gap);
        padding: 6px;
        background: var(--mk-code-bg, #f6f7f9);
        border-radius: var(--_radius);
        max-height: 120px;
        overflow: auto;
        white-space: pre-wrap;
        word-break: break-all;
        font-family: var(--_mono);
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0 10px;
        margin: 0 0 var(--_gap);
        font-size: 0.85em;
      }
      dt {
        color: var(--_muted);
      }
      dd {
        margin: 0;
        font-family: var(--_mono);
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
        margin: 0 0 var(--_gap);
      }
      textarea {
        width: 100%;
        box-sizing: border-box;
        min-height: 3.5em;
        font-family: var(--_mono);
      }
      input.version {
        width: 5em;
      }
      fieldset {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        margin: 0 0 var(--_gap);
        padding: 6px;
      }
      legend {
        color: var(--_muted);
        font-size: 0.85em;
      }
      .outcome {
        margin: var(--_gap) 0 0;
        font-size: 0.9em;
        min-height: 1.2em;
      }
      @media (max-width: 640px) {
        .columns {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  @property({ attribute: false }) client: MeshKeeperClient | undefined;

  private readonly tree = new TreeController(this, () => this.client);
  @query('textarea.data') private dataInput!: HTMLTextAreaElement | null;
  @query('input.version') private versionInput!: HTMLInputElement | null;
  @query('input.create-name') private createName!: HTMLInputElement | null;
  @query('input.create-data') private createData!: HTMLInputElement | null;
  @query('select.create-mode') private createMode!: HTMLSelectElement | null;

  protected override render(): TemplateResult {
    const tree = this.tree;
    return html`<section class="panel" part="panel">
      <header part="header">
        <span class="title" part="title">Znodes</span>
        ${tree.pending > 0 ? html`<span class="muted">…</span>` : nothing}
        <button @click=${() => void tree.reload()} ?disabled=${this.client === undefined}>Reload</button>
      </header>
      <div class="columns">
        <ul part="tree" role="tree">
          ${tree.rows.map((row) => this.row(row))}
        </ul>
        <div class="details" part="details">${this.details(tree.selected)} ${this.createForm()}</div>
      </div>
      ${tree.outcome === null
        ? html`<p class="outcome" part="outcome"></p>`
        : html`<p class="outcome ${tree.outcome.ok ? 'ok' : 'danger'}" part="outcome" data-ok=${String(tree.outcome.ok)} data-code=${tree.outcome.code ?? ''}>
            ${tree.outcome.message}
          </p>`}
    </section>`;
  }

  private row(row: TreeRow): TemplateResult {
    const hidden = row.expanded ? this.tree.hiddenChildren(row.path) : 0;
    const leaf = row.numChildren === 0;
    return html`<li part=${row.selected ? 'row selected-row' : 'row'} class=${row.selected ? 'selected' : ''} style="padding-left:${row.depth * 14 + 4}px" data-path=${row.path} role="treeitem" aria-expanded=${row.expanded ? 'true' : 'false'}>
      <button class="toggle" part="toggle" title=${row.expanded ? 'collapse' : 'expand'} @click=${() => void this.tree.toggle(row.path)}>${row.expanded ? '▾' : leaf ? '·' : '▸'}</button>
      <button class="name" part="name" @click=${() => void this.tree.select(row.path)}>${row.name}</button>
      ${row.ephemeral ? html`<span class="badge muted" title="ephemeral">eph</span>` : nothing}
      ${row.numChildren !== null && row.numChildren > 0 && !row.expanded ? html`<span class="muted">${row.numChildren}</span>` : nothing}
      ${hidden > 0 ? html`<span class="muted">(+${hidden} not listed)</span>` : nothing}
    </li>`;
  }

  private details(selected: SelectedZnode | null): TemplateResult {
    const editor = this.tree.editor;
    if (selected === null || editor === null) return html`<p class="muted">Select a znode to see its data and Stat.</p>`;
    const { path, stat } = selected;
    return html`<h3 part="path">${path}</h3>
      <pre part="data">${selected.text ?? dataAsHex(selected.data)}</pre>
      ${this.stat(stat)}
      <fieldset part="editor">
        <legend>edit (conditional on the version)</legend>
        ${keyed(
          editor.revision,
          html`<textarea class="data" part="data-input" .value=${editor.text} placeholder=${editor.binary ? 'binary data: saving replaces it with text' : ''}></textarea>
            <div class="row">
              <label>version <input class="version" part="version-input" type="number" min="-1" .value=${String(editor.version)} /></label>
              <button part="save" @click=${() => this.save(path)}>Save</button>
              <button part="delete" class="danger" @click=${() => this.delete(path)}>Delete</button>
              <button title="start again from the current data and version" @click=${() => this.tree.resetEditor()}>↺</button>
            </div>`,
        )}
        ${editor.version !== stat.version
          ? html`<div class="warn" part="stale">changed since you started editing: now version ${stat.version} (saving with ${editor.version} fails with BADVERSION; ↺ loads it)</div>`
          : nothing}
      </fieldset>
      <fieldset part="watches">
        <legend>watch ${path} (events go to the watch log)</legend>
        <div class="row">
          ${WATCH_KINDS.map(({ kind, label }) => html`<button part="watch" data-kind=${kind} @click=${() => void this.tree.watch(path, kind)}>${label}</button>`)}
          <button part="watch" data-kind="remove" @click=${() => void this.tree.removeWatches(path)}>remove all</button>
        </div>
      </fieldset>`;
  }

  private stat(stat: Stat): TemplateResult {
    return html`<dl part="stat">
      <dt>version</dt><dd>${stat.version}</dd>
      <dt>cversion</dt><dd>${stat.cversion}</dd>
      <dt>aversion</dt><dd>${stat.aversion}</dd>
      <dt>czxid</dt><dd>${hex(stat.czxid)}</dd>
      <dt>mzxid</dt><dd>${hex(stat.mzxid)}</dd>
      <dt>pzxid</dt><dd>${hex(stat.pzxid)}</dd>
      <dt>ctime</dt><dd>${time(stat.ctime)}</dd>
      <dt>mtime</dt><dd>${time(stat.mtime)}</dd>
      <dt>ephemeralOwner</dt><dd>${hex(stat.ephemeralOwner)}</dd>
      <dt>dataLength</dt><dd>${stat.dataLength}</dd>
      <dt>numChildren</dt><dd>${stat.numChildren}</dd>
    </dl>`;
  }

  private createForm(): TemplateResult {
    const parent = this.tree.selected?.path ?? '/';
    return html`<fieldset part="create">
      <legend>create under ${parent} (or an absolute path)</legend>
      <div class="row">
        <input class="create-name" part="create-name" placeholder="name" size="12" />
        <input class="create-data" part="create-data" placeholder="data" size="12" />
        <select class="create-mode" part="create-mode">
          ${CREATE_MODES.map((mode) => html`<option value=${mode}>${mode.toLowerCase().replaceAll('_', ' ')}</option>`)}
        </select>
        <button part="create-button" @click=${() => this.create(parent)}>Create</button>
      </div>
    </fieldset>`;
  }

  private version(): number {
    const text = this.versionInput?.value.trim() ?? '-1';
    return text === '' ? -1 : Number(text);
  }

  private save(path: string): void {
    void this.tree.setData(path, this.dataInput?.value ?? '', this.version());
  }

  private delete(path: string): void {
    void this.tree.delete(path, this.version());
  }

  private create(parent: string): void {
    const name = this.createName?.value.trim() ?? '';
    const path = name.startsWith('/') ? name : childPath(parent, name);
    const mode = (this.createMode?.value ?? 'PERSISTENT') as CreateModeName;
    void this.tree.create(path, this.createData?.value ?? '', mode).then((created) => {
      if (created && this.createName !== null) this.createName.value = '';
    });
  }
}

defineElement('mk-tree', MkTree);

declare global {
  interface HTMLElementTagNameMap {
    'mk-tree': MkTree;
  }
}
