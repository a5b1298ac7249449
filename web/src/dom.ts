/**
 * The dApp's DOM lookups, checked with `instanceof`: an element that is missing, or of another kind than the code
 * expects, fails where it is looked up with an error naming it, rather than as a TypeError further on.
 */

/** An element class such as `HTMLInputElement`. */
type ElementClass<T extends Element> = abstract new (...args: never[]) => T;

/** `value` (an event's target, a lookup's result) as an element of `type`; an `Error` naming `what` otherwise. */
export function elementOf<T extends Element>(value: unknown, type: ElementClass<T>, what: string): T {
  if (value instanceof type) return value;
  const found = value === null || value === undefined ? "missing" : `not a ${type.name}`;
  throw new Error(`internal error: ${what} is ${found}`);
}

/** The element `selector` matches under `root`, of `type`; an `Error` naming the selector when there is none. */
export function element<T extends Element>(root: ParentNode, selector: string, type: ElementClass<T>): T {
  return elementOf(root.querySelector(selector), type, `the element "${selector}"`);
}

/** Every element `selector` matches under `root`, each of `type`. */
export function elements<T extends Element>(root: ParentNode, selector: string, type: ElementClass<T>): T[] {
  return [...root.querySelectorAll(selector)].map((el) => elementOf(el, type, `an element "${selector}"`));
}

/** The closest ancestor of `from` (itself included) that `selector` matches, of `type`. */
export function closest<T extends Element>(from: Element, selector: string, type: ElementClass<T>): T {
  return elementOf(from.closest(selector), type, `the element "${selector}" around the ${from.tagName}`);
}

/** The value of the form control `selector` matches under `root`; undefined when there is none. */
export function controlValue(root: ParentNode, selector: string): string | undefined {
  const control = root.querySelector(selector);
  if (control === null) return undefined;
  if (control instanceof HTMLSelectElement || control instanceof HTMLTextAreaElement) return control.value;
  return elementOf(control, HTMLInputElement, `the form control "${selector}"`).value;
}

/** Whether the checkbox `name` of `form` is ticked (false when the form has none). */
export function isChecked(form: HTMLFormElement, name: string): boolean {
  const box = form.elements.namedItem(name);
  return box instanceof HTMLInputElement && box.checked;
}
