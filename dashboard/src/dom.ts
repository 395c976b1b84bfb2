/**
 * Looks up an element the page's HTML must have, with its type checked, so a renamed id fails
 * loudly at load instead of leaving a panel silently blank.
 * @param id - the element's id
 * @param type - the element's class, `HTMLCanvasElement` for instance
 */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`dashboard: #${id} is missing or not a ${type.name}`);
  return element;
}

/**
 * Sets a panel's `data-points`: how many non-null values it currently draws.
 * @param element - any element inside the panel (the canvas, a KPI value)
 * @param points - the count
 */
export function setPanelPoints(element: Element, points: number): void {
  const panel = element.closest<HTMLElement>('.panel');
  if (panel !== null) panel.dataset.points = String(points);
}
