/** color-name ships no types: the CSS colour keywords → [r, g, b]. */
declare module 'color-name' {
  const colors: Readonly<Record<string, readonly [number, number, number]>>;
  export default colors;
}
