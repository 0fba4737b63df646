/**
 * Whether an element is on screen or near it, from one IntersectionObserver shared by every device card
 * (500 cards, one observer). A card off screen skips the re-renders its device's state changes would cost
 * and catches up when it scrolls near: the browser already skips its layout and paint
 * (`content-visibility: auto`), this skips the script too.
 */
type Seen = (visible: boolean) => void;

const MARGIN = '400px 0px'; // a screen's worth ahead, so a card is fresh before it scrolls in
let observer: IntersectionObserver | null = null;
const callbacks = new WeakMap<Element, Seen>();

export function observeVisibility(element: Element, seen: Seen): () => void {
  if (typeof IntersectionObserver === 'undefined') return () => {}; // the card then simply always renders
  observer ??= new IntersectionObserver((entries) => {
    for (const e of entries) callbacks.get(e.target)?.(e.isIntersecting);
  }, { rootMargin: MARGIN });
  callbacks.set(element, seen);
  observer.observe(element);
  return () => {
    callbacks.delete(element);
    observer?.unobserve(element);
  };
}
