/*
 * Functions Puppeteer runs inside the retailer's page (`locator.filter`, `handle.evaluate`): they are serialised
 * as source, so they use nothing from this module or any other.
 */

/**
 * True when a person clicking the element's centre would hit it (or its label), not a toast, a banner or a
 * modal on top. Scrolls it into view first. Runs in the page: no closures.
 */
export const receivesClick = (el: Element): boolean => {
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return false;
  if (box.top < 0 || box.left < 0 || box.bottom > window.innerHeight || box.right > window.innerWidth) {
    el.scrollIntoView({ block: 'center', inline: 'center' });
    return false;
  }
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  if (!hit) return false;
  if (hit === el || el.contains(hit)) return true;
  const label = hit.closest('label');
  return !!label && (label.contains(el) || (label as HTMLLabelElement).control === el);
};

/** `tag#id.class "text"` of whatever covers the element's centre (runs in the page). */
export const describeCover = (el: Element): string => {
  // No named inner functions: tsx (esbuild keepNames) would wrap them in a helper the page does not have.
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return 'nothing: the element has no size (hidden)';
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  if (!hit) return 'nothing: the element is outside the window';
  const disabled = (el as HTMLButtonElement).disabled || el.getAttribute('aria-disabled') === 'true';
  if (hit === el || el.contains(hit))
    return disabled ? 'nothing, but the element stayed disabled' : 'nothing (it kept moving)';
  const parts: string[] = [];
  for (const node of [hit, hit.parentElement]) {
    if (!node) continue;
    const id = node.id ? `#${node.id}` : '';
    const cls =
      typeof node.className === 'string' && node.className.trim()
        ? `.${node.className.trim().split(/\s+/).slice(0, 3).join('.')}`
        : '';
    const text = (node.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
    parts.push(`${node.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ''}`);
  }
  return parts.join(' inside ');
};
