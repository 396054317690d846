/**
 * Registers a custom element once: a page that loads the components twice (two bundles) keeps the
 * first definition instead of failing.
 */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  if (customElements.get(tag) === undefined) customElements.define(tag, element);
}
