import { html, LitElement, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { MeshKeeperClient } from '../client/client.js';
import { defineElement } from '../ui/define-element.js';
import { baseStyles } from '../ui/theme.js';

/** `<mk-recipes>`: the recipe playground (placeholder until the recipes land). */
export class MkRecipes extends LitElement {
  static override styles = [baseStyles];
  @property({ attribute: false }) client: MeshKeeperClient | undefined;
  @property({ attribute: false }) tabName = '';
  @property({ attribute: false }) root = '/meshkeeper-demo';

  protected override render(): TemplateResult {
    return html`<section class="panel"><b>Recipes</b><p class="muted">coming</p></section>`;
  }
}

defineElement('mk-recipes', MkRecipes);

declare global {
  interface HTMLElementTagNameMap {
    'mk-recipes': MkRecipes;
  }
}
