/**
 * True for a promise or any other thenable. Hot paths use it to settle a plain value at once instead of
 * wrapping it in `Promise.resolve(value).then(…)`, which costs a promise, two closures and a microtask.
 */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
